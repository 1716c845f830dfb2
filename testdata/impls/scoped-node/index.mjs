// A Node.js pre sign-up handler that tries what its execution role, scoped
// to its own pool, must not allow, and fails every sign-up unless each try
// is denied as IAM denies it: creating a pool, listing pools, changing its
// own pool. A read of its own pool must pass. Given OTHER_POOL, it lists
// that pool's users and logs the error it got. It also fails when the
// runner's secrets reached its environment. Otherwise it only confirms.
import {
  CognitoIdentityProviderClient, CreateUserPoolCommand, DescribeUserPoolCommand, ListUserPoolsCommand,
  ListUsersCommand, UpdateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const cognito = new CognitoIdentityProviderClient({});

async function answer(command) {
  try {
    await cognito.send(command);
    return "allowed";
  } catch (err) {
    return err.name === "AccessDeniedException" && /is not authorized to perform: cognito-idp:\w+ on resource: /.test(err.message)
      ? "AccessDeniedException" : `${err.name}: ${err.message}`;
  }
}

export const handler = async (event) => {
  const leaked = ["GITHUB_TOKEN", "COGNITO_CLIENT_SECRET", "HOSTILE_MARK"].filter((k) => k in process.env);
  if ((process.env.AWS_ACCESS_KEY_ID ?? "").startsWith("AKIA")) leaked.push("AWS_ACCESS_KEY_ID");
  if (leaked.length > 0) throw new Error(`the runner's variables reached the handler: ${leaked.join(", ")}`);
  const got = {
    CreateUserPool: await answer(new CreateUserPoolCommand({ PoolName: "evil" })),
    ListUserPools: await answer(new ListUserPoolsCommand({ MaxResults: 60 })),
    UpdateUserPool: await answer(new UpdateUserPoolCommand({ UserPoolId: event.userPoolId })),
    DescribeUserPool: await answer(new DescribeUserPoolCommand({ UserPoolId: event.userPoolId })),
  };
  const wrong = Object.entries(got).filter(([op, a]) => a !== (op === "DescribeUserPool" ? "allowed" : "AccessDeniedException"));
  if (wrong.length > 0) throw new Error(`not answered as a scoped role: ${JSON.stringify(Object.fromEntries(wrong))}`);
  if (process.env.OTHER_POOL) {
    console.log(`ListUsers on another pool: ${await answer(new ListUsersCommand({ UserPoolId: process.env.OTHER_POOL }))}`);
  }
  event.response.autoConfirmUser = true;
  return event;
};
