"""An e-mail address cosell could not store on PostgreSQL is refused where it enters, in words."""
from model.domain.rules.addresses import MAX_LENGTH, address_problem


def _address(length: int) -> str:
    """A well-formed address of ``length`` characters (local part 60, labels of at most 60)."""
    domain_len = length - 61 - len(".example")
    labels, left = [], domain_len
    while left > 0:
        take = min(60, left)
        labels.append("b" * take)
        left -= take + 1
    domain = ".".join(labels)[:domain_len]
    return "a" * 60 + "@" + domain.rstrip(".") + ".example"


def test_r6_1_an_address_that_fits_the_tables_is_accepted():  # R6.1
    text = _address(MAX_LENGTH)
    assert len(text) <= MAX_LENGTH and address_problem(text) is None


def test_r6_1_a_valid_but_longer_address_is_refused_with_its_length():  # R6.1
    text = _address(240)
    assert len(text) > MAX_LENGTH
    problem = address_problem(text)
    assert problem is not None and f"at most {MAX_LENGTH}" in problem and str(len(text)) in problem
