// ajv and ajv-formats are CommonJS; resolve their default exports under NodeNext.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

type AddFormats = typeof addFormatsModule.default;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as AddFormats;

export function makeAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}
