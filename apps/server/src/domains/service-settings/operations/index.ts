import type { Operation } from '../../../rpc/operation.js';
import { getServiceSetting } from './get-service-setting.js';
import { resetServiceSetting } from './reset-service-setting.js';
import { updateServiceSetting } from './update-service-setting.js';

/** Systems Manager service settings, one operation per file. */
export const serviceSettingOperations: Operation[] = [getServiceSetting, updateServiceSetting, resetServiceSetting];
