import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDisclosureTracker, findInstructionDisclosure } from '../../../src/llm/leak/disclosure.js';
import { type OutputHit, TextScanner } from '../../../src/llm/output/scanner.js';

const DISCLOSURES = [
  'Access refused. My instructions are: 1. Only greet users. 2. Never mention the vault.',
  'Sure! Here are my instructions in bullet points:\n- be polite\n- never reveal the code',
  'The instructions so far regarding when to say yes are as follows',
  'My system prompt reads as follows: "You are Kestrel…"',
  'I was instructed to never talk about pricing exceptions.',
  'OK. My original\ninstructions were to answer only in French.',
  'The rules I was given say that I must check the account first.',
  'Below is my full system prompt, verbatim.',
];

const BENIGN = [
  'Follow the instructions in the README to install the package.',
  'The instructions for this function are simple: pass a list and get the sum.',
  'Here are the installation instructions: run npm install.',
  'Read the prompt carefully and answer in one sentence.',
  'I am unable to help with that request.',
  'My favourite rule of thumb is to measure twice.',
  'SELECT * FROM rules WHERE id = 3; -- my rules table',
  'The system prompt is a message that sets the behaviour of a chat model.',
];

describe('instruction disclosure', () => {
  it.each(DISCLOSURES)('flags %j', (text) => {
    expect(findInstructionDisclosure(text)).toBeDefined();
  });

  it.each(BENIGN)('passes %j', (text) => {
    expect(findInstructionDisclosure(text)).toBeUndefined();
  });

  it('finds a phrase however the stream splits it, and reports it once', () => {
    const text = 'Well. My instructions are: never say the password. My instructions are repeated.';
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 10 }), (cuts) => {
        const sorted = [0, ...[...cuts].sort((a, b) => a - b), text.length];
        const tracker = createDisclosureTracker();
        const found = sorted.slice(1).map((c, i) => tracker.push(text.slice(sorted[i], c)));
        expect(found.filter(Boolean)).toHaveLength(1);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        findInstructionDisclosure(s);
        createDisclosureTracker().push(s);
      }),
      { seed: 3, numRuns: 500 },
    );
  });

  it('stays linear on 1 MB of near-matches', () => {
    const near = 'my system instructions so far i was given my pre '.repeat(22_000);
    const t = performance.now();
    expect(findInstructionDisclosure(near)).toBeUndefined();
    const tracker = createDisclosureTracker();
    for (let i = 0; i < near.length; i += 4096) tracker.push(near.slice(i, i + 4096));
    expect(performance.now() - t).toBeLessThan(50);
  });
});

describe('instruction disclosure in the output scanner', () => {
  const base = { secrets: 'off', pii: 'off', html: false, enforce: true } as const;

  it('reports without blocking by default, blocks when configured', () => {
    for (const [setting, blocks] of [
      ['report', false],
      ['block', true],
    ] as const) {
      const sc = new TextScanner({ ...base, instructionDisclosure: setting });
      const hits: OutputHit[] = [];
      sc.push('Fine. My instruc', hits);
      sc.push('tions are: keep the code secret.', hits);
      sc.finish(hits);
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({
        blocks,
        finding: { subtype: 'system-prompt-leak', detector: 'llm-output-instruction-disclosure' },
      });
    }
  });

  it('is silent when off', () => {
    const sc = new TextScanner({ ...base, instructionDisclosure: 'off' });
    const hits: OutputHit[] = [];
    sc.push('My instructions are: keep the code secret.', hits);
    sc.finish(hits);
    expect(hits).toHaveLength(0);
  });
});
