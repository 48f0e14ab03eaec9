import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParseContext, parseCommand, readForComposer } from '../../src/core/command-parser.js';
import { CAPABILITIES } from '../../src/sora/capabilities.js';

const openai: ParseContext = { capabilities: CAPABILITIES.openai, defaultModel: 'sora-2' };
const azure: ParseContext = { capabilities: CAPABILITIES.azure, defaultModel: 'sora-2' };

function ok(text: string, ctx = openai) {
  const result = parseCommand(text, ctx);
  if (!result.ok) throw new Error(`expected ok for ${text}: ${result.problem.message}`);
  return result.intent;
}

function problem(text: string, ctx = openai): string {
  return fault(text, ctx).message;
}

function fault(text: string, ctx = openai) {
  const result = parseCommand(text, ctx);
  if (result.ok) throw new Error(`expected a problem for ${text}`);
  return result.problem;
}

describe('the command grammar', () => {
  it('quotes a value back on one line and at most 40 characters', () => {
    const message = problem(`a storm --size ${'9'.repeat(5_000)}x1`);
    expect(message).toContain(`\`${'9'.repeat(39)}…\``);
    expect(message.length).toBeLessThan(300);
  });

  it('reads a prompt with defaults from the model', () => {
    expect(ok('a paper boat sailing down a rainy street')).toEqual({
      kind: 'generate',
      prompt: 'a paper boat sailing down a rainy street',
      seconds: '4',
      size: '720x1280',
      model: 'sora-2',
      autoSize: true,
      fit: 'cover',
    });
  });

  it('reads options anywhere, in --flag value and --flag=value forms, and smart dashes', () => {
    expect(ok('--seconds 8 a fox --landscape')).toMatchObject({
      prompt: 'a fox',
      seconds: '8',
      size: '1280x720',
    });
    expect(ok('a fox --seconds=12 --size=720x1280')).toMatchObject({ seconds: '12', size: '720x1280' });
    expect(ok('a fox —portrait –seconds 8')).toMatchObject({
      prompt: 'a fox',
      size: '720x1280',
      seconds: '8',
    });
    expect(ok('a fox --pro --size 1792x1024')).toMatchObject({ model: 'sora-2-pro', size: '1792x1024' });
    expect(ok('a fox --model sora-2-pro')).toMatchObject({ model: 'sora-2-pro' });
    expect(ok('a fox --landscape')).toMatchObject({ autoSize: false });
    expect(ok('a fox --fit contain')).toMatchObject({ fit: 'contain', autoSize: true });
    expect(ok('a fox —fit=contain')).toMatchObject({ fit: 'contain' });
  });

  it('treats everything after -- as the prompt', () => {
    expect(ok('-- help me --seconds 8')).toMatchObject({ kind: 'generate', prompt: 'help me --seconds 8' });
    expect(ok('--landscape -- list --all')).toMatchObject({ prompt: 'list --all', size: '1280x720' });
    // After a word of the prompt it is punctuation: kept, and it still ends the options.
    expect(ok('sunset -- golden hour --pro')).toMatchObject({
      prompt: 'sunset -- golden hour --pro',
      model: 'sora-2',
    });
  });

  it('keeps the prompt as typed: newlines, punctuation, spacing; options cut out', () => {
    const poem = 'A fox.\n\nIt runs —  fast!\n  Then: rain (lots).';
    expect(ok(`  ${poem}\n`)).toMatchObject({ prompt: poem });
    expect(ok('a fox --seconds 8 jumps\nover the moon')).toMatchObject({
      prompt: 'a fox jumps\nover the moon',
      seconds: '8',
    });
    // A line of options alone disappears without joining the lines around it.
    expect(ok('first line\n--landscape --seconds 8\nsecond line')).toMatchObject({
      prompt: 'first line\nsecond line',
      size: '1280x720',
    });
    expect(ok('scene one\n\n--pro\n\nscene two')).toMatchObject({ prompt: 'scene one\n\nscene two' });
  });

  it('reads a smart dash as an option only when glued to a known option name', () => {
    expect(ok('a fox — then a bear')).toMatchObject({ prompt: 'a fox — then a bear' });
    expect(ok('a fox – then –landscape')).toMatchObject({ prompt: 'a fox – then', size: '1280x720' });
    expect(ok('—and then there were none')).toMatchObject({ prompt: '—and then there were none' });
    expect(ok('--- a title card ---> the end')).toMatchObject({ prompt: '--- a title card ---> the end' });
  });

  it('takes a command word as a command only in its exact shape', () => {
    for (const text of [
      'help me fly over a city',
      'list of animals dancing',
      'status report of a spaceship',
      'delete the old world and paint a new one',
      'remix culture in a city',
      'status k3f9qz please',
      'delete not-an-id',
      'list all the things',
      'delete k3f9qz\nand make a new one',
      'budget of a small film crew',
      'usage of an old tool',
      'HELP!',
    ])
      expect(ok(text)).toMatchObject({ kind: 'generate', prompt: text });
  });

  it('reads the other intents', () => {
    expect(ok('remix K3F9QZ make it snow')).toEqual({
      kind: 'remix',
      jobId: 'k3f9qz',
      prompt: 'make it snow',
    });
    expect(ok('remix k3f9qz  make it snow,\nthen --night')).toMatchObject({
      prompt: 'make it snow,\nthen --night',
    });
    expect(ok('list —all --page=2')).toEqual({ kind: 'list', all: true, page: 2 });
    expect(ok('status #k3f9qz')).toEqual({ kind: 'status', jobId: 'k3f9qz' });
    expect(ok('delete k3f9qz')).toEqual({ kind: 'delete', jobId: 'k3f9qz' });
    expect(ok('list')).toEqual({ kind: 'list', all: false, page: 1 });
    expect(ok('list --all --page 3')).toEqual({ kind: 'list', all: true, page: 3 });
    expect(ok('HELP')).toEqual({ kind: 'help' });
  });

  it('explains each mistake and what to type instead, naming the field at fault', () => {
    expect(fault('')).toMatchObject({ code: 'missing_prompt', field: 'prompt' });
    expect(fault('a fox --seconds 7')).toMatchObject({ code: 'unsupported', field: 'seconds' });
    expect(fault('a fox --seconds')).toMatchObject({ code: 'missing_value', field: 'seconds' });
    expect(fault('a fox --size 1792x1024')).toMatchObject({ code: 'unsupported', field: 'size' });
    expect(fault('a fox --landscape --portrait')).toMatchObject({
      code: 'conflicting_options',
      field: 'size',
    });
    expect(fault('a fox --model sora-3')).toMatchObject({ code: 'unsupported', field: 'model' });
    expect(fault('a fox --fit stretch')).toMatchObject({ code: 'invalid_value', field: 'fit' });
    expect(fault('a fox --colour red')).toMatchObject({ code: 'unknown_option', field: 'prompt' });
    expect(fault('status')).toMatchObject({ code: 'missing_id', field: 'id' });
    expect(fault('remix')).toMatchObject({ code: 'missing_id', field: 'id' });
    expect(fault('remix k3f9qz')).toMatchObject({ code: 'missing_prompt', field: 'prompt' });
    expect(fault('list --page 0')).toMatchObject({ code: 'invalid_value', field: 'page' });
    expect(fault('list --page')).toMatchObject({ code: 'missing_value', field: 'page' });
    expect(fault('usage 2026-13')).toMatchObject({ field: 'period' });
    expect(fault('budget workspace lots')).toMatchObject({ field: 'budget' });
    expect(
      fault('a cat', {
        ...openai,
        attachment: { filename: 'a.pdf', contentType: 'application/pdf', bytes: 1 },
      }),
    ).toMatchObject({ code: 'invalid_image', field: 'image' });
    expect(problem('')).toMatch(/Tell me what to make/);
    expect(problem('a fox --seconds 7')).toMatch(/4, 8 or 12 seconds/);
    expect(problem('a fox --size 1792x1024')).toMatch(/sora-2 on OpenAI renders/);
    expect(problem('a fox --size 1280x720 --portrait')).toMatch(/either `--size`/);
    expect(problem('a fox --colour red')).toMatch(/don't know the option `--colour`.*put `--` before/);
    expect(problem('a fox --model sora-3')).toMatch(/isn't available/);
    expect(problem('a fox --pro', azure)).toMatch(/isn't available on Azure OpenAI/);
    expect(problem('a fox --size 1792x1024', azure)).toMatch(/720x1280/);
    expect(problem('remix k3f9qz')).toMatch(/Say what to change/);
    expect(problem('remix')).toMatch(/Remix needs the id/);
    expect(problem('status')).toMatch(/Give one video id/);
    expect(problem('delete')).toMatch(/Give one video id/);
    expect(problem('list --page 0')).toMatch(/page number/);
    expect(problem(`a ${'x'.repeat(40_000)}`)).toMatch(/Sora takes at most 32,000/);
  });

  it('checks attachments before anything is downloaded', () => {
    const pdf = { filename: 'plan.pdf', contentType: 'application/pdf', bytes: 1000 };
    const huge = { filename: 'big.png', contentType: 'image/png', bytes: 50 * 1024 * 1024 };
    const fine = { filename: 'cat.webp', contentType: 'image/webp', bytes: 1000 };
    expect(parseCommand('a cat', { ...openai, attachment: pdf })).toMatchObject({ ok: false });
    expect(parseCommand('a cat', { ...openai, attachment: huge })).toMatchObject({ ok: false });
    expect(parseCommand('a cat', { ...openai, attachment: fine })).toMatchObject({ ok: true });
  });

  it('never throws: any input is an intent or a helpful message', () => {
    const token = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '--seconds',
        '--size',
        '--landscape',
        '--portrait',
        '--model',
        '--pro',
        '--',
        '—',
        'remix',
        'list',
        'help',
        'status',
        'delete',
        '--all',
        '--page',
        '8',
        '1280x720',
        'k3f9qz',
      ),
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), fc.constantFrom(openai, azure), (tokens, ctx) => {
        const result = parseCommand(tokens.join(' '), ctx);
        if (result.ok) {
          if (result.intent.kind === 'generate') {
            const model = ctx.capabilities.models[result.intent.model as 'sora-2'];
            expect(model?.sizes).toContain(result.intent.size);
            expect(model?.seconds).toContain(result.intent.seconds);
            expect(result.intent.prompt.length).toBeGreaterThan(0);
          }
        } else {
          expect(result.problem.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the composer’s reading (the playground prices a prompt before it is sent)', () => {
  it('reads command shapes as commands and everything else as a prompt with the options it sets', () => {
    expect(readForComposer('help', openai)).toEqual({ kind: 'command' });
    expect(readForComposer('list --all', openai)).toEqual({ kind: 'command' });
    expect(readForComposer('status k3f9qz', openai)).toEqual({ kind: 'command' });
    expect(readForComposer('help me fly over a city', openai)).toEqual({ kind: 'prompt', set: {} });
    expect(readForComposer('a storm --seconds 12 --landscape --pro', openai)).toEqual({
      kind: 'prompt',
      set: { model: 'sora-2-pro', size: '1280x720', seconds: '12' },
    });
    expect(readForComposer('status', openai)).toMatchObject({
      kind: 'problem',
      problem: { code: 'missing_id' },
    });
    expect(readForComposer('a storm --bogus 1', openai)).toMatchObject({
      kind: 'problem',
      problem: { code: 'unknown_option' },
    });
  });

  it('agrees with the parser on every text: a command stays a command, a prompt’s options are the ones parsed', () => {
    const word = fc.constantFrom(
      'help',
      'list',
      'status',
      'delete',
      'remix',
      'a',
      'fox',
      'k3f9qz',
      '--all',
      '--seconds',
      '8',
      '--landscape',
      '--portrait',
      '--size',
      '1280x720',
      '--pro',
      '--',
      'usage',
      'budget',
    );
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), (words) => {
        const text = words.join(' ');
        const parsed = parseCommand(text, openai);
        const reading = readForComposer(text, openai);
        if (parsed.ok && parsed.intent.kind !== 'generate') expect(reading.kind).toBe('command');
        if (parsed.ok && parsed.intent.kind === 'generate') {
          expect(reading.kind).toBe('prompt');
          if (reading.kind !== 'prompt') return;
          const intent = parsed.intent;
          expect(reading.set.seconds ?? '4').toBe(intent.seconds);
          expect(reading.set.model ?? 'sora-2').toBe(intent.model);
          if (!intent.autoSize) expect(reading.set.size).toBe(intent.size);
          else expect(reading.set.size).toBeUndefined();
        }
        if (reading.kind === 'command') expect(parsed.ok && parsed.intent.kind !== 'generate').toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
