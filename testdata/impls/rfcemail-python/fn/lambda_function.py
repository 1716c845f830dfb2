# A pre sign-up handler that holds addresses to RFC 5321: a local part of
# at most 64 characters, and not digits alone. It confirms what it admits.
import re
LOCAL = re.compile(r'^[A-Za-z0-9._%+-]{1,64}$')
def lambda_handler(event, context):
    email = event['request']['userAttributes'].get('email', '')
    local = email.rsplit('@', 1)[0]
    if not LOCAL.match(local) or local.isdigit():
        raise Exception('address refused: local part of %d' % len(local))
    event['response']['autoConfirmUser'] = True
    return event
