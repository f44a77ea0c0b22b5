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

  async call<T>(target: string, input: object): Promise<T> {
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
    const response = await fetch(new URL('/', url), { method: 'POST', headers: signed.headers as Record<string, string>, body });
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
