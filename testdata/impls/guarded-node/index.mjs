// A Node.js pre sign-up handler as the Lambda console starts one (index.mjs),
// with the AWS SDK that Lambda's Node.js runtimes include. It confirms every
// sign-up and verifies a valid email address or phone number unless another
// user holds it verified, which it asks ListUsers. It answers every source the
// same way and never refuses.
import { AdminUpdateUserAttributesCommand, CognitoIdentityProviderClient, ListUsersCommand } from "@aws-sdk/client-cognito-identity-provider";

const cognito = new CognitoIdentityProviderClient({});
const validEmail = (v) => typeof v === "string" && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
const validPhone = (v) => typeof v === "string" && /^\+[1-9]\d{6,14}$/.test(v);

async function heldVerified(poolId, attr, value) {
  let token;
  do {
    const page = await cognito.send(new ListUsersCommand({
      UserPoolId: poolId,
      Filter: `${attr} = "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`,
      PaginationToken: token,
      // LIST_LIMIT lets a test send a Limit Cognito refuses (rules §22.4).
      Limit: process.env.LIST_LIMIT ? Number(process.env.LIST_LIMIT) : undefined,
    }));
    for (const user of page.Users ?? []) {
      if ((user.Attributes ?? []).some((a) => a.Name === `${attr}_verified` && a.Value === "true")) {
        if (process.env.UNVERIFY_HOLDER) {
          // The guard that writes the holder's value off itself ("the
          // latest sign-up wins") and leaves the new user unverified.
          await cognito.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: user.Username,
            UserAttributes: [{ Name: attr, Value: value }, { Name: `${attr}_verified`, Value: "false" }] }));
        }
        return true;
      }
    }
    // FIRST_PAGE_ONLY makes it the guard that reads one page and stops.
    token = process.env.FIRST_PAGE_ONLY ? undefined : page.PaginationToken;
  } while (token);
  return false;
}

// GIVE_UP_MS makes it the guard that stops waiting after its own limit
// and takes "nobody holds it" for the answer: it fails open.
function lookup(poolId, attr, value) {
  const ms = Number(process.env.GIVE_UP_MS);
  const asked = heldVerified(poolId, attr, value);
  return ms > 0 ? Promise.race([asked, new Promise((resolve) => setTimeout(() => resolve(false), ms))]) : asked;
}

export const handler = async (event) => {
  const attrs = event.request?.userAttributes ?? {};
  event.response.autoConfirmUser = true;
  if (validEmail(attrs.email)) {
    event.response.autoVerifyEmail = !(await lookup(event.userPoolId, "email", attrs.email));
  }
  if (validPhone(attrs.phone_number)) {
    event.response.autoVerifyPhone = !(await lookup(event.userPoolId, "phone_number", attrs.phone_number));
  }
  return event;
};
