"""The new-deal wizard (R4–R7): ``NewDealWizard()`` dismisses with the created Deal or None."""
from tui.screens.new_deal.wizard import NewDealWizard, step_keys

__all__ = ["NewDealWizard", "step_keys"]
