import { policiesOutput } from './parameter-policies.js';
import type { ParameterRecord } from './parameters.store.js';

/** AWS JSON timestamps are epoch seconds (fractions allowed). */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** `Parameter` of GetParameter, GetParameters and GetParametersByPath. */
export function parameterOutput(record: ParameterRecord, value: string, selectorText?: string) {
  return {
    Name: record.name,
    Type: record.type,
    Value: value,
    Version: record.version,
    Selector: selectorText,
    LastModifiedDate: epochSeconds(record.lastModifiedDate),
    ARN: record.arn,
    DataType: record.dataType,
  };
}

/** `ParameterMetadata` of DescribeParameters. */
export function metadataOutput(record: ParameterRecord) {
  return {
    Name: record.name,
    ARN: record.arn,
    Type: record.type,
    KeyId: record.keyId ?? undefined,
    LastModifiedDate: epochSeconds(record.lastModifiedDate),
    LastModifiedUser: record.lastModifiedUser,
    Description: record.description ?? undefined,
    AllowedPattern: record.allowedPattern ?? undefined,
    Version: record.version,
    Tier: record.tier,
    Policies: policiesOutput(record.policies),
    DataType: record.dataType,
  };
}

/** `ParameterHistory` of GetParameterHistory. */
export function historyOutput(record: ParameterRecord, value: string, labels: string[]) {
  const { ARN: _arn, ...metadata } = metadataOutput(record);
  return { ...metadata, Value: value, Labels: labels };
}
