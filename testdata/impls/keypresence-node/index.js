// A Node.js pre sign-up handler in the style of many blog posts: it confirms
// everyone and verifies whatever key is present, however empty or malformed,
// and never asks who else holds the value.
exports.handler = async (event) => {
  const attrs = event.request.userAttributes;
  event.response.autoConfirmUser = true;
  event.response.autoVerifyEmail = 'email' in attrs;
  event.response.autoVerifyPhone = 'phone_number' in attrs;
  return event;
};
