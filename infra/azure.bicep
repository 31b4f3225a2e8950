// Meent on Azure: one resource group with App Service (Linux, Node 20, two instances, health check
// /readyz, always on), Azure Cosmos DB for MongoDB vCore (or a MongoDB Atlas connection string
// given as a parameter), Key Vault holding the secrets as Key Vault references, a user-assigned
// managed identity (Graph app-only calls, the Azure Bot, Key Vault), Application Insights, and the
// Azure Bot with the Teams channel. Nothing else. The app settings are exactly what
// src/config/config.ts needs in production (test/operations/infra.test.ts checks that).
// Deployed by the Agents Toolkit's arm/deploy (m365agents.yml); the outputs become env/.env.<env>.
// Reviewed by hand: no Bicep compiler could be installed where this was written (docs/operations.md).

@description('Short lower-case name the resources are named after, e.g. meent-dev.')
@minLength(3)
@maxLength(20)
param resourceBaseName string

param location string = resourceGroup().location

@description('App Service plan SKU; P0v3 or larger keeps two instances warm with always on.')
param appServiceSku string = 'P0v3'

@description('Instances of the web app (Meent keeps no state in the process; two survive one being recycled).')
@minValue(1)
param instanceCount int = 2

@description('The Entra app registration (Teams SSO audience; aadApp/create writes it).')
param entraClientId string

@description('The home tenant.')
param entraTenantId string = subscription().tenantId

@description('A MongoDB Atlas (or other MongoDB 7+) connection string. Empty: an Azure Cosmos DB for MongoDB vCore cluster is created.')
@secure()
param mongoDbConnectionString string = ''

@description('Administrator password of the Cosmos DB for MongoDB vCore cluster (only when mongoDbConnectionString is empty).')
@secure()
param mongoDbAdminPassword string = ''

@description('Cosmos DB for MongoDB vCore compute tier.')
param mongoDbTier string = 'M30'

@description('The organisation responsible for the data, and how to reach it and its data-protection officer (AVG art. 13).')
param organisationName string
param organisationContact string
param privacyOfficerContact string

@description('The Teams app id (manifest id), kept per environment (teamsApp/create writes it).')
param teamsAppId string

@description('Whose tokens must show multi-factor sign-in: none, admins, members or all.')
@allowed(['none', 'admins', 'members', 'all'])
param requireMfa string = 'all'

var useCosmos = empty(mongoDbConnectionString)
var hostName = '${resourceBaseName}.azurewebsites.net'
var publicUrl = 'https://${hostName}'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-id'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${resourceBaseName}-logs'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-ai'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'Node.JS'
    WorkspaceResourceId: logs.id
  }
}

resource mongoCluster 'Microsoft.DocumentDB/mongoClusters@2024-07-01' = if (useCosmos) {
  name: '${resourceBaseName}-mongo'
  location: location
  properties: {
    administrator: {
      userName: 'meent'
      password: mongoDbAdminPassword
    }
    serverVersion: '7.0'
    compute: { tier: mongoDbTier }
    storage: { sizeGb: 32 }
    sharding: { shardCount: 1 }
    highAvailability: { targetMode: 'SameZone' }
    publicNetworkAccess: 'Enabled'
  }
}

// App Service reaches the cluster over its public endpoint; 0.0.0.0 admits Azure services only.
resource mongoFirewall 'Microsoft.DocumentDB/mongoClusters/firewallRules@2024-07-01' = if (useCosmos) {
  parent: mongoCluster
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

var cosmosConnectionString = 'mongodb+srv://meent:${uriComponent(mongoDbAdminPassword)}@${resourceBaseName}-mongo.global.mongocluster.cosmos.azure.com/meent?tls=true&authMechanism=SCRAM-SHA-256&retrywrites=false&maxIdleTimeMS=120000'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${resourceBaseName}-kv'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

resource mongoSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'mongodb-uri'
  properties: {
    value: useCosmos ? cosmosConnectionString : mongoDbConnectionString
  }
}

resource insightsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'applicationinsights-connection-string'
  properties: {
    value: insights.properties.ConnectionString
  }
}

// Key Vault Secrets User: the identity reads the secrets the app settings refer to, nothing more.
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, '4633458b-17de-408a-b874-0445c86b69e6')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: appServiceSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'node dist/src/main.js'
      alwaysOn: true
      healthCheckPath: '/readyz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      appSettings: [
        { name: 'NODE_ENV', value: 'production' }
        { name: 'AUTH_MODE', value: 'entra' }
        { name: 'HOST', value: '0.0.0.0' }
        { name: 'PUBLIC_URL', value: publicUrl }
        { name: 'TRUST_PROXY', value: '1' }
        { name: 'MONGODB_URI', value: '@Microsoft.KeyVault(SecretUri=${mongoSecret.properties.secretUri})' }
        { name: 'ENTRA_TENANT_ID', value: entraTenantId }
        { name: 'ENTRA_CLIENT_ID', value: entraClientId }
        { name: 'ENTRA_APP_ID_URI', value: 'api://${hostName}/${entraClientId}' }
        { name: 'MANAGED_IDENTITY_CLIENT_ID', value: identity.properties.clientId }
        { name: 'BOT_ID', value: identity.properties.clientId }
        { name: 'BOT_TYPE', value: 'UserAssignedMSI' }
        { name: 'BOT_TENANT_ID', value: entraTenantId }
        { name: 'TEAMS_APP_ID', value: teamsAppId }
        { name: 'REQUIRE_MFA', value: requireMfa }
        { name: 'ORGANISATION_NAME', value: organisationName }
        { name: 'ORGANISATION_CONTACT', value: organisationContact }
        { name: 'PRIVACY_OFFICER_CONTACT', value: privacyOfficerContact }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: '@Microsoft.KeyVault(SecretUri=${insightsSecret.properties.secretUri})' }
        // The deployment is a built folder (npm run build:deploy): nothing to build on the server.
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
        // How long App Service waits for /readyz before it takes an instance out (minutes, 2-10).
        { name: 'WEBSITE_HEALTHCHECK_MAXPINGFAILURES', value: '3' }
      ]
    }
  }
  dependsOn: [
    secretsUser
  ]
}

// The Azure Bot, signed in as the managed identity (no app password exists).
resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'S1' }
  properties: {
    displayName: 'Meent'
    endpoint: '${publicUrl}/api/messages'
    msaAppType: 'UserAssignedMSI'
    msaAppId: identity.properties.clientId
    msaAppTenantId: entraTenantId
    msaAppMSIResourceId: identity.id
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}

// Written to env/.env.<env> by arm/deploy (output names become variable names).
output AZURE_APP_SERVICE_RESOURCE_ID string = site.id
output PUBLIC_URL string = publicUrl
output PUBLIC_DOMAIN string = hostName
output BOT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output ENTRA_APP_ID_URI string = 'api://${hostName}/${entraClientId}'
