"""A pre sign-up trigger for a company's internal app: only people with an
address at one of the allowed domains may sign up. They are confirmed at
once; their email address is left for the app to verify with a code, so no
alias can move. Everyone else is refused. Administrators may create anyone,
unless ADMIN_CREATE_USER=refuse holds them to the same domains.

ALLOWED_DOMAINS holds the domains, separated by commas.
"""
import os


def allowed_domains():
    raw = os.environ.get("ALLOWED_DOMAINS", "example.com")
    return {d.strip().lower() for d in raw.split(",") if d.strip()}


def lambda_handler(event, context):
    admin = event.get("triggerSource") == "PreSignUp_AdminCreateUser"
    if admin and os.environ.get("ADMIN_CREATE_USER") != "refuse":
        return event
    email = (event.get("request") or {}).get("userAttributes", {}).get("email", "")
    domain = email.rpartition("@")[2].lower() if isinstance(email, str) else ""
    if domain not in allowed_domains():
        raise Exception("Sign-up is open only to staff: use your work email address")
    if event.get("triggerSource") == "PreSignUp_SignUp":
        event["response"]["autoConfirmUser"] = True
    return event
