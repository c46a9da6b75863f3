import type { Finding, Location } from '../core/findings.js';
import type { CategoryId } from '../core/taxonomy.js';
import type { RequestContext } from '../gateway/phase.js';

/**
 * What kind of content a value carries. Selects detectors and thresholds: an `llm-message` is
 * judged by the LLM guard, not by SQL/shell signatures; an `identifier` tolerates nothing odd.
 */
export const CONTENT_PROFILES = [
  'generic',
  'identifier',
  'free-text',
  'url',
  'code',
  'markup',
  'llm-message',
] as const;
export type ContentProfile = (typeof CONTENT_PROFILES)[number];

export type Paranoia = 1 | 2 | 3;

export type ValueSource = 'path' | 'query' | 'header' | 'cookie' | 'body' | 'key';

/** One extracted value with where it came from. */
export interface InspectedValue {
  value: string;
  location: Location;
  source: ValueSource;
  profile: ContentProfile;
}

export interface DetectorOptions {
  paranoia: Paranoia;
}

/** Looks at one value at a time (query parameter, JSON leaf, header…). Pure. */
export interface ValueDetector<O extends DetectorOptions = DetectorOptions> {
  kind: 'value';
  id: string;
  category: CategoryId;
  compile(options: O): (input: InspectedValue) => Finding[];
}

/** Looks at the request as a whole (protocol anomalies). Pure. */
export interface RequestDetector<O extends DetectorOptions = DetectorOptions> {
  kind: 'request';
  id: string;
  category: CategoryId;
  compile(
    options: O,
  ): (
    request: Pick<RequestContext, 'method' | 'url' | 'headers' | 'rawHeaders' | 'httpVersion'>,
  ) => Finding[];
}

export type Detector = ValueDetector | RequestDetector;
