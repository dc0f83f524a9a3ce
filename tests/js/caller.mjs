// GetCallerIdentity with the SDK's default credential chain: prints the key it used, as JSON.
// The chain finds AWS_CONTAINER_CREDENTIALS_FULL_URI (and the token) in the environment.
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";

const client = new STSClient({ region: "us-east-1", endpoint: process.env.STS_ENDPOINT });
const identity = await client.send(new GetCallerIdentityCommand({}));
const credentials = await client.config.credentials();
console.log(JSON.stringify({ Arn: identity.Arn, AccessKeyId: credentials.accessKeyId }));
