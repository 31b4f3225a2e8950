/**
 * The bot's own credentials against the local identity provider: the token a bot sends to
 * the connector comes from the identity provider's token endpoint (client credentials, scope
 * `https://api.botframework.com/.default`), fetched by the same MSAL code botbuilder uses in
 * production. MSAL only trusts Microsoft's login hosts unless told otherwise, so the test
 * client names the local host in `knownAuthorities`.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { AppCredentials, MsalServiceClientCredentialsFactory } from 'botframework-connector';
import type { IdentityProvider } from './identity-provider.js';

export interface TestBotIdentity {
  botId: string;
  password: string;
  /** The tenant the bot's app registration lives in (any GUID the identity provider serves). */
  tenantId: string;
}

export type CredentialsFactory = ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1];

/** Registers the bot with the identity provider and answers a credentials factory for botbuilder. */
export function botCredentialsFactory(idp: IdentityProvider, bot: TestBotIdentity): CredentialsFactory {
  idp.registerClient({ clientId: bot.botId, secret: bot.password });
  // botframework-connector caches the bot's token process-wide by app id and scope
  // (AppCredentials.cache): a token from an earlier test file's identity provider would be sent
  // to this one's connector and refused. One identity provider per process in production.
  const cache = (AppCredentials as unknown as { cache: Map<string, unknown> }).cache;
  for (const key of [...cache.keys()]) if (key.startsWith(bot.botId)) cache.delete(key);
  const client = new ConfidentialClientApplication({
    auth: { clientId: bot.botId, clientSecret: bot.password, authority: `${idp.baseUrl}/${bot.tenantId}`, knownAuthorities: [new URL(idp.baseUrl).host] },
  });
  // botframework-connector bundles its own @azure/msal-node; the client is structurally the same.
  return new MsalServiceClientCredentialsFactory(bot.botId, client as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1]) as unknown as CredentialsFactory;
}

/** Bot Framework authentication for a bot that receives channel tokens from, and gets its own tokens from, the identity provider. */
export function botAuthentication(idp: IdentityProvider, bot: TestBotIdentity): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: bot.botId,
      MicrosoftAppPassword: bot.password,
      MicrosoftAppType: 'MultiTenant',
      ToChannelFromBotLoginUrl: `${idp.baseUrl}/${bot.tenantId}`,
      ToChannelFromBotOAuthScope: 'https://api.botframework.com',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
      OAuthUrl: 'https://api.botframework.com',
      ToBotFromChannelOpenIdMetadataUrl: idp.botOpenIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: `${idp.baseUrl}/common/v2.0/.well-known/openid-configuration`,
      CallerId: 'urn:botframework:azure',
      ValidateAuthority: true,
    },
    botCredentialsFactory(idp, bot),
  );
}
