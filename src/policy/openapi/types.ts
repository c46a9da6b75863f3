import type { OperationInfo } from '../operation.js';

/** A schema object as it appears in the dereferenced document (may be cyclic). */
export type RawSchema = Record<string, unknown> | boolean;

/** Which JSON Schema flavour a document's schemas follow. */
export type Dialect = 'swagger2' | 'oas30' | 'oas31';

export type ParamLocation = 'path' | 'query' | 'header' | 'cookie';

/** One parameter, in a shape common to Swagger 2.0 and OpenAPI 3.x. */
export interface SpecParameter {
  name: string;
  in: ParamLocation;
  required: boolean;
  schema: RawSchema;
  /** OpenAPI style; Swagger 2.0 collectionFormat is mapped onto it. */
  style: 'form' | 'simple' | 'label' | 'matrix' | 'spaceDelimited' | 'pipeDelimited' | 'deepObject' | 'tsv';
  explode: boolean;
  /** Set when the parameter is described with `content` (value is a serialised document, e.g. JSON). */
  contentType?: string;
}

export interface SpecMediaType {
  /** Lower-case `type/subtype`, no parameters; may be `type/*` or `*\/*`. */
  mediaType: string;
  schema?: RawSchema;
}

export interface SpecRequestBody {
  required: boolean;
  content: SpecMediaType[];
}

export interface SpecOperation {
  info: OperationInfo;
  parameters: SpecParameter[];
  body?: SpecRequestBody;
  /** Status key (`200`, `2XX`, `default`) → media types. */
  responses: Map<string, SpecMediaType[]>;
}

/** Shared by every route that names the same file (see loadSpec's cache): never mutate it. */
export interface LoadedSpec {
  readonly dialect: Dialect;
  /** `2.0`, `3.0.3`, `3.1.0`, … */
  readonly version: string;
  readonly title: string;
  /** Path prefixes in front of the spec paths (from servers / basePath); `['']` for none. */
  readonly basePaths: readonly string[];
  readonly operations: readonly SpecOperation[];
}
