/**
 * How the workshop commands configure their AWS clients: AWS's default configuration, or, given an endpoint
 * (the local emulator), that endpoint with the region from the environment and any credentials.
 */
export interface WorkshopClientConfig {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export function workshopClientConfig(
  endpointUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): WorkshopClientConfig {
  if (endpointUrl === undefined) return {};
  return {
    endpoint: endpointUrl,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // The emulator accepts any credentials; without any configured, the SDK would refuse to sign.
    ...(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE
      ? {}
      : { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
  };
}
