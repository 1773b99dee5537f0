/**
 * Where mails that ask for an act with legal weight send people: the console (CONSOLE_URL), which
 * signs in first. With Cognito the managed login returns only to the API's own /console; in the
 * China regions the console is reached at the ICP-filed public address (publicBaseUrl); and every
 * issuer but the Cognito pool has the API check the second factor of legal acts (AUTH_CLAIM_MFA).
 */
import { describe, expect, it } from 'vitest';
import { functionsFor } from '../../infra/functions.js';
import { resourcesOf, synth, type Resource, type Synthesized } from './synth.js';

const fnOf = (s: Synthesized, id: string): Resource =>
  resourcesOf(s.appJson, 'AWS::Lambda::Function').find(([, r]) => r.Metadata?.['suiji:entry'] === functionsFor('china').concat(functionsFor('global')).find((f) => f.id === id)!.entry)![1];
const envOf = (s: Synthesized, id: string): Record<string, unknown> => fnOf(s, id).Properties!.Environment.Variables;

describe('CONSOLE_URL and the second factor of legal acts', () => {
  it('global: the API endpoint’s /console (the Cognito callback), for the function that mails the approval request', () => {
    const env = envOf(synth(), 'LifecycleCallback');
    expect(JSON.stringify(env.CONSOLE_URL)).toContain('/console');
    expect(JSON.stringify(env.CONSOLE_URL)).toContain('ApiEndpoint');
    expect(envOf(synth(), 'Api').AUTH_CLAIM_MFA).toBeUndefined();
  });

  it('China with an ICP-filed domain and an OIDC issuer: the domain’s /console, and amr checked', () => {
    const s = synth({
      context: { region: 'cn-north-1', publicBaseUrl: 'https://sjsj.example.gov.cn', signIn: 'oidc', oidcIssuer: 'https://tyrz.example.gov.cn/realms/suiji', oidcAudience: 'suiji-console' },
    });
    expect(envOf(s, 'LifecycleCallback').CONSOLE_URL).toBe('https://sjsj.example.gov.cn/console');
    expect(envOf(s, 'Api').AUTH_CLAIM_MFA).toBe('amr');
    const none = synth({ context: { region: 'cn-north-1', signIn: 'oidc', oidcIssuer: 'https://tyrz.example.gov.cn/realms/suiji', oidcAudience: 'suiji-console', oidcMfaClaim: 'none' } });
    expect(envOf(none, 'Api').AUTH_CLAIM_MFA).toBeUndefined();
  });
});
