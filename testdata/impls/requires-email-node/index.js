// A Node.js pre sign-up handler written for a pool that requires an email
// address: it reads the address without checking it is there, as its pool
// guarantees, so a phone-only sign-up, which that pool never sends, throws.
exports.handler = async (event) => {
  const attrs = event.request.userAttributes;
  const email = attrs.email.trim();
  event.response.autoConfirmUser = true;
  event.response.autoVerifyEmail = email.includes('@');
  event.response.autoVerifyPhone = 'phone_number' in attrs;
  return event;
};
