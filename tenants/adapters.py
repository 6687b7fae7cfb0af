from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by program admins; nobody signs themselves up."""

    def is_open_for_signup(self, request) -> bool:
        return False
