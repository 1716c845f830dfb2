// A Node.js pre sign-up handler that only confirms: users verify their email
// address or phone number later, with a code. An ES module, as Lambda's
// nodejs20.x runtime loads index.mjs.
export const handler = async (event) => {
  if (event.triggerSource === 'PreSignUp_SignUp') {
    event.response.autoConfirmUser = true;
  }
  return event;
};
