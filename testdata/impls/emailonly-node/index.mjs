// A Node.js pre sign-up handler for a pool without phone numbers: it confirms
// every sign-up and verifies a well-formed email address, but asks no one
// whether another user holds it verified. Under the default claim a run
// fails it on verify-phone, which it never promised, and on alias-safe,
// which it breaks; the run says which claim fits and how to fix the rest.
export const handler = async (event) => {
  const email = event.request?.userAttributes?.email;
  event.response.autoConfirmUser = true;
  if (typeof email === "string" && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    event.response.autoVerifyEmail = true;
  }
  return event;
};
