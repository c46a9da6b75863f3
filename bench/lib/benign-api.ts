// Generated benign API traffic for false-positive measurement, independent of the shared corpus:
// the values a JSON/REST API of a shop, a SaaS back office, a developer portal or a DB admin tool
// really carries (names with apostrophes, street addresses, markdown reviews, cron lines, file
// paths, SQL column and type names, user agents, URLs with queries, non-Latin scripts). Seeded,
// so every run sees the same requests; nothing is written to disk.
import { type Faker, fakerDE, fakerEN_US, fakerFR, fakerJA, fakerRU } from '@faker-js/faker';
import type { BenchRequest } from '../crs/harness.js';

const LOCALES: Faker[] = [fakerEN_US, fakerEN_US, fakerEN_US, fakerDE, fakerFR, fakerJA, fakerRU];

type Fields = Record<string, unknown>;

function markdownReview(f: Faker): string {
  const pros = f.helpers.multiple(
    () => `- ${f.commerce.productAdjective()} ${f.commerce.productMaterial()}`,
    {
      count: { min: 1, max: 3 },
    },
  );
  return [
    `## ${f.helpers.arrayElement(['Pros', 'What I liked', 'Summary'])}`,
    ...pros,
    '',
    `**${f.word.adjective()}** — ${f.commerce.productDescription()}`,
    `See [the manual](${f.internet.url()}/docs/${f.system.commonFileName('pdf')}) for sizes & care.`,
  ].join('\n');
}

function supportMessage(f: Faker): string {
  return [
    `Hi, ${f.hacker.phrase()}`,
    'Steps to reproduce:',
    `1. Open ${f.internet.url()}/${f.word.noun()}?tab=${f.word.noun()}&page=${f.number.int(20)}`,
    `2. Click "${f.word.verb()}" (it says: ${f.hacker.abbreviation()} error ${f.number.int({ min: 400, max: 599 })})`,
    `3. ${f.company.buzzPhrase()}`,
    `Browser: ${f.internet.userAgent()}`,
    `Thanks — ${f.person.fullName()}`,
  ].join('\n');
}

const RESOURCES: ((f: Faker) => Fields)[] = [
  (f) => ({
    firstName: f.person.firstName(),
    lastName: f.person.lastName(),
    displayName: f.person.fullName(),
    username: f.internet.username(),
    email: f.internet.email(),
    phone: f.phone.number(),
    birthdate: f.date.birthdate().toISOString().slice(0, 10),
    bio: f.person.bio(),
    jobTitle: f.person.jobTitle(),
    avatar: f.image.avatar(),
    website: f.internet.url(),
    timezone: f.location.timeZone(),
    password: f.internet.password({
      length: f.number.int({ min: 10, max: 20 }),
      pattern: /[\w!@#$%^&*.,?-]/,
    }),
  }),
  (f) => ({
    street: f.location.streetAddress(true),
    city: f.location.city(),
    state: f.location.state(),
    zip: f.location.zipCode(),
    country: f.location.country(),
    lat: f.location.latitude(),
    lng: f.location.longitude(),
    instructions: f.helpers.arrayElement([
      'Leave at the back door, or with the neighbour at #12',
      `Call ${f.phone.number()} on arrival; gate code 4#21`,
      'Ring twice & wait (dog)',
      `c/o ${f.company.name()}`,
    ]),
  }),
  (f) => ({
    orderId: f.string.uuid(),
    items: f.helpers.multiple(
      () => ({
        sku: f.string.alphanumeric({ length: 10, casing: 'upper' }),
        name: f.commerce.productName(),
        qty: f.number.int({ min: 1, max: 5 }),
        price: f.commerce.price(),
      }),
      { count: { min: 1, max: 4 } },
    ),
    coupon: f.string.alphanumeric(8).toUpperCase(),
    note: f.helpers.arrayElement([
      f.lorem.sentence(),
      f.company.catchPhrase(),
      "Gift — don't include the receipt!",
    ]),
    shipping: f.helpers.arrayElement(['standard', 'express', 'pickup']),
    createdAt: f.date.recent().toISOString(),
  }),
  (f) => ({
    name: f.commerce.productName(),
    description: f.commerce.productDescription(),
    department: f.commerce.department(),
    material: f.commerce.productMaterial(),
    tags: f.word.words({ count: { min: 1, max: 5 } }).split(' '),
    color: f.color.human(),
    hex: f.color.rgb(),
    isbn: f.commerce.isbn(),
    price: Number(f.commerce.price()),
  }),
  (f) => ({ title: f.hacker.phrase(), body: markdownReview(f), rating: f.number.int({ min: 1, max: 5 }) }),
  (f) => ({
    subject: f.hacker.phrase(),
    message: supportMessage(f),
    company: f.company.name(),
    priority: f.helpers.arrayElement(['low', 'normal', 'high']),
  }),
  (f) => ({
    event: f.helpers.arrayElement(['page_view', 'add_to_cart', 'checkout.started', 'signup']),
    page: `${f.internet.url()}/${f.word.noun()}?utm_source=${f.word.noun()}&utm_medium=email&id=${f.number.int(9999)}`,
    referrer: f.internet.url(),
    userAgent: f.internet.userAgent(),
    ip: f.internet.ipv4({ network: 'any' }),
    screen: `${f.number.int({ min: 320, max: 3840 })}x${f.number.int({ min: 480, max: 2160 })}`,
    at: f.date.recent().toISOString(),
  }),
  (f) => ({
    table: f.word.noun(),
    column: f.database.column(),
    type: f.database.type(),
    collation: f.database.collation(),
    engine: f.database.engine(),
    objectId: f.database.mongodbObjectId(),
    nullable: f.datatype.boolean(),
  }),
  (f) => ({
    fileName: f.system.fileName(),
    directory: f.system.directoryPath(),
    path: f.system.filePath(),
    mimeType: f.system.mimeType(),
    version: f.system.semver(),
    schedule: f.system.cron(),
    checksum: f.git.commitSha(),
  }),
  (f) => ({
    repo: `${f.internet.username()}/${f.word.noun()}`,
    branch: f.git.branch(),
    commitMessage: f.git.commitMessage(),
    sha: f.git.commitSha(),
    author: `${f.person.fullName()} <${f.internet.email()}>`,
  }),
  (f) => ({
    iban: f.finance.iban(),
    bic: f.finance.bic(),
    amount: f.finance.amount(),
    currency: f.finance.currencyCode(),
    description: f.finance.transactionDescription(),
    account: f.finance.accountName(),
  }),
  (f) => ({
    model: `${f.internet.username().toLowerCase()}/${f.word.noun()}-${f.helpers.arrayElement(['7b', '8B-Instruct', 'v0.3', 'base'])}`,
    revision: f.helpers.arrayElement(['main', f.git.commitSha({ length: 7 })]),
    dataset: `${f.helpers.arrayElement(['s3', 'gs', 'hf'])}://${f.word.noun()}-${f.word.noun()}/${f.system.commonFileName('jsonl')}`,
    outputDir: `runs/${f.date.recent().toISOString().slice(0, 10)}-${f.word.noun()}`,
    learningRate: f.helpers.arrayElement([3e-5, 1e-4, 0.0002]),
    temperature: f.number.float({ min: 0, max: 1.5, fractionDigits: 2 }),
    stop: ['\n\n', '###', '</s>'],
    webhook: `${f.internet.url()}/hooks/${f.string.alphanumeric(12)}`,
    description: f.hacker.phrase(),
  }),
  (f) => ({
    company: f.company.name(),
    slogan: f.company.catchPhrase(),
    mission: f.company.buzzPhrase(),
    industry: f.commerce.department(),
    vehicle: `${f.vehicle.manufacturer()} ${f.vehicle.model()} (${f.vehicle.vin()})`,
  }),
];

function query(params: [string, string][]): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

function listQuery(f: Faker): string {
  return query([
    [
      'q',
      f.helpers.arrayElement([f.commerce.productName(), f.commerce.productAdjective(), f.company.name()]),
    ],
    ['sort', f.database.column()],
    ['order', f.helpers.arrayElement(['asc', 'desc'])],
    ['page', String(f.number.int({ min: 1, max: 40 }))],
    ['per_page', f.helpers.arrayElement(['20', '50', '100'])],
    ['fields', f.helpers.multiple(() => f.database.column(), { count: 3 }).join(',')],
    [`filter[${f.word.noun()}]`, f.color.human()],
    ['from', f.date.past().toISOString().slice(0, 10)],
  ]);
}

function headers(f: Faker, extra: [string, string][] = []): [string, string][] {
  return [
    ['Host', 'api.example.com'],
    ['User-Agent', f.internet.userAgent()],
    ['Accept', 'application/json'],
    ['Accept-Language', f.helpers.arrayElement(['en-US,en;q=0.9', 'de-DE,de;q=0.8,en;q=0.5', 'ja-JP'])],
    ['Referer', `${f.internet.url()}/${f.word.noun()}?${query([['ref', f.word.noun()]])}`],
    ['Cookie', `session=${f.string.alphanumeric(32)}; theme=${f.helpers.arrayElement(['dark', 'light'])}`],
    ...extra,
  ];
}

/** `count` benign requests: JSON bodies, list queries, resource paths and form posts. */
export function benignApiRequests(count: number, seed = 20261126): BenchRequest[] {
  const out: BenchRequest[] = [];
  for (let i = 0; i < count; i++) {
    const f = LOCALES[i % LOCALES.length];
    f.seed(seed + i);
    const resource = RESOURCES[i % RESOURCES.length](f);
    switch (i % 4) {
      case 0:
      case 1:
        out.push({
          method: f.helpers.arrayElement(['POST', 'PUT', 'PATCH']),
          url: `/api/v1/${f.word.noun()}s/${f.string.uuid()}`,
          headers: headers(f, [['Content-Type', 'application/json']]),
          body: Buffer.from(JSON.stringify(resource)),
        });
        break;
      case 2:
        out.push({ method: 'GET', url: `/api/v1/${f.word.noun()}s?${listQuery(f)}`, headers: headers(f) });
        break;
      default: {
        const form = Object.entries(resource)
          .filter(([, v]) => typeof v !== 'object')
          .map(([k, v]) => [k, String(v)] as [string, string]);
        out.push({
          method: 'POST',
          url: `/forms/${f.word.noun()}`,
          headers: headers(f, [['Content-Type', 'application/x-www-form-urlencoded']]),
          body: Buffer.from(query(form)),
        });
      }
    }
  }
  return out;
}
