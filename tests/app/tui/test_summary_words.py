"""Issue 13: the header's counts read as English ("1 match", "0 matches", "1 expires"), and the
command palette key is listed once in every footer (the app's ``^p``, not a second copy)."""
from __future__ import annotations


from model.domain.enums import Tab
from model.domain.listing import TabSummary
from tui.widgets.pipeline_summary import SummaryView, summary_text


def header(matching: int | None, expiring: int) -> str:
    summary = TabSummary(count=1, total_usd=1000.0, weighted_usd=100.0, expiring_48h=expiring)
    return summary_text(SummaryView(tab=Tab.INBOUND, summary=summary, expiring_48h=expiring,
                                    matching=matching)).plain


def test_plural_forms_of_match_and_expire():
    assert "0 matches" in header(0, 0) and "1 match ·" in header(1, 0) and "2 matches" in header(2, 0)
    assert "⚠ 1 expires in 48 h" in header(None, 1) and "⚠ 3 expire in 48 h" in header(None, 3)
    assert "1 open deal " in header(None, 0)
    assert "⚠ 1,541 expire in 48 h" in header(None, 1541)  # thousands grouped, as every other count


from detail_support import make_app, open_detail, pilot_test, put_inbound, screen_text  # noqa: E402


@pilot_test
async def test_palette_is_listed_once_in_the_detail_footer(ctx):
    deal = put_inbound(ctx)
    app = make_app(ctx)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_detail(pilot, deal.id)
        footer = screen_text(app).splitlines()[-1]
        assert footer.count("Palette") == 1, footer
