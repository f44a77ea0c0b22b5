import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface ApiCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TendClientOptions {
  endpoint: string;
  region: string;
  credentials: ApiCredentials;
}

export interface SignedApiRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** An error answered by the API, with the AWS error name (`__type`). */
export class ApiError extends Error {
  constructor(
    readonly name: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/**
 * Minimal signed client for any target of the API (`AmazonSSM.*` or
 * `Tend.*`): the SDKs cover Systems Manager's operations, this covers Tend's
 * own ones with the same SigV4 signature and error format.
 */
export class TendClient {
  private readonly signer: SignatureV4;

  constructor(private readonly options: TendClientOptions) {
    this.signer = new SignatureV4({ service: 'ssm', region: options.region, credentials: options.credentials, sha256: Sha256 });
  }

  /** Calls `Tend.<operation>`. */
  tend<T = any>(operation: string, input: object = {}): Promise<T> {
    return this.call<T>(`Tend.${operation}`, input);
  }

  /** Calls `AmazonSSM.<operation>`. */
  ssm<T = any>(operation: string, input: object = {}): Promise<T> {
    return this.call<T>(`AmazonSSM.${operation}`, input);
  }

  /**
   * A signed request ready to send. Exposed because a signature stays valid
   * for 15 minutes, so a load generator can replay one (bench/parameters).
   */
  async sign(target: string, input: object): Promise<SignedApiRequest> {
    const url = new URL(this.options.endpoint);
    const body = JSON.stringify(input);
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
      },
      body,
    });
    return { url: new URL('/', url).toString(), headers: signed.headers as Record<string, string>, body };
  }

  async call<T>(target: string, input: object): Promise<T> {
    const request = await this.sign(target, input);
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
    const text = await response.text();
    const json = text ? JSON.parse(text) : {};
    if (!response.ok) {
      throw new ApiError(
        json.__type ?? 'UnknownError',
        json.message ?? json.Message ?? text,
        response.status,
        response.headers.get('x-amzn-requestid') ?? undefined,
      );
    }
    return json as T;
  }
}
