/**
 * The web console in AWS. Hosting: served by the API Lambda under /console (same origin as the
 * API, so no CORS; immutable hashed assets, a no-cache page with a CSP; see
 * functions/api/routes/console-assets.ts), because it then runs the same way in every partition
 * and on the local platform. CloudFront in front of S3 would be the usual alternative, but in
 * the mainland China regions CloudFront serves nothing without an ICP-licensed custom domain;
 * docs/CONSOLE.md says what changes there.
 *
 * Sign-in: Cognito managed login with the authorization code grant and PKCE for a public app
 * client (no secret); the pool's MFA applies. The console's ID tokens are accepted by the same
 * JWT authorizer as the CLI's.
 */
import { Aws, CfnOutput, Duration, Fn } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { Construct } from 'constructs';

/** The function whose bundle carries the console. */
export const CONSOLE_ENTRY = 'functions/api/handler.ts';

/**
 * After the API function is bundled: build the console if web/ changed (the same fingerprinted
 * build as `npm start`) and copy it next to the handler as console/ (infra/bundling.ts calls it).
 */
export function addConsoleToBundle(root: string, outputDir: string): void {
  execFileSync('npx', ['tsx', 'shared/dev/local/console-build.ts'], { cwd: root, stdio: 'inherit' });
  cpSync(join(root, 'web', 'dist'), join(outputDir, 'console'), { recursive: true });
}

export interface ConsoleAuthProps {
  userPool: cognito.UserPool;
  /** The API's endpoint: the console's address is `${apiEndpoint}/console`. */
  apiEndpoint: string;
  /** Prefix of the Cognito domain (`<prefix>.auth.<region>.amazoncognito.com`); unique per region. */
  domainPrefix?: string;
}

export class ConsoleAuth extends Construct {
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** Host name of the managed login (for the console's configuration and its CSP). */
  readonly domainName: string;

  constructor(scope: Construct, id: string, props: ConsoleAuthProps) {
    super(scope, id);
    const consoleUrl = `${props.apiEndpoint}/console`;
    this.domain = props.userPool.addDomain('LoginDomain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? Fn.join('-', ['suiji', Aws.ACCOUNT_ID]) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    this.domainName = Fn.join('', [this.domain.domainName, '.auth.', Aws.REGION, '.amazoncognito.com']);
    this.client = props.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('department', 'inspectorId'),
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    // The newer managed login needs a style; Cognito's own is fine (Chinese follows ?lang=zh-CN).
    new cognito.CfnManagedLoginBranding(this, 'LoginBranding', {
      userPoolId: props.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    new CfnOutput(scope, 'ConsoleUrl', { value: consoleUrl, description: '控制台 console: sign in with a user of the pool (MFA)' });
  }

  /** What the console's page needs to know (served as /console/config.json). */
  environment(): Record<string, string> {
    return { CONSOLE_AUTH_DOMAIN: this.domainName, CONSOLE_CLIENT_ID: this.client.userPoolClientId };
  }
}
