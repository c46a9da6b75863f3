// Prints one start URL per GET operation of the fixture (sample values filled in), for wapiti.
import { RequestBuilder } from '../../src/scan/builder/request.js';
import { loadApi } from '../../src/scan/spec/load.js';
import { SPEC_PATH } from '../../test/fixtures/vuln-api/app.js';

const target = process.argv[2];
const api = await loadApi(SPEC_PATH);
const b = new RequestBuilder(api, target);
for (const op of api.operations) if (op.method === 'GET') process.stdout.write(`${b.url(op, b.parts(op))}\n`);
