"""A pre sign-up handler that raises on every sign-up, as a broken deploy
does (a bad configuration, a dependency that is down). Cognito fails every
sign-up with it; every profile that allows a refusal would pass it, which is
why every run also sends a control sign-up and must see one accepted."""


def lambda_handler(event, context):
    raise RuntimeError("the sign-up service is not configured")
