"""Login by email on the site's one login page, with a rate limit on failures (DESIGN.md section 12)."""

from django.urls import reverse

from tenants.models import Role


def test_user_logs_in_by_email_in_any_case(client, member):
    member(Role.RESIDENT, email="pat@example.org")
    response = client.post(reverse("account_login"), {"login": "PAT@example.org", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused_with_a_message(client, member):
    member(Role.RESIDENT, email="sam@example.org")
    response = client.post(reverse("account_login"), {"login": "sam@example.org", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failed_logins_are_rate_limited(client, member):
    member(Role.RESIDENT, email="sam@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "sam@example.org", "password": "wrong-password-1"})
    response = client.post(reverse("account_login"), {"login": "sam@example.org", "password": "correct-horse-battery"})
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_nobody_can_sign_themselves_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "a-long-password-123", "password2": "a-long-password-123"},
    )
    assert "Sign Up Closed" in response.content.decode()
    from tenants.models import User

    assert not User.objects.filter(email="new@example.org").exists()


def test_admin_login_page_sends_to_the_site_login(client, db):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_logged_in_resident_gets_403_not_a_login_loop_at_the_admin(client, member):
    client.force_login(member(Role.RESIDENT))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
