/**
 * `/sora` is declared with `should_escape: true`, so Slack sends mentions, channels and links as
 * `<@U123|bob>`, `<#C123|general>`, `<https://…>` (events always do). A budget command keeps the raw
 * mention so the core gets the user id; every prompt is turned back into what the person typed, and
 * is still echoed without a live mention. Units of the conversion, then end to end over Socket Mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSlackText } from '../../adapters/slack/command-text.js';
import { plainSlackText } from '../../adapters/slack/mrkdwn.js';
import type { ParseResult } from '../../src/core/intents.js';
import { ADMIN, BOB, CHANNEL, SlackHarness } from './slack-harness.js';

describe('plainSlackText', () => {
  it('turns Slack escapes back into what was typed', () => {
    const cases: [string, string][] = [
      ['<@U123|alice> waves', '@alice waves'],
      ['<@U123> waves', '@U123 waves'],
      ['in <#C1|general>', 'in #general'],
      ['in <#C1>', 'in #C1'],
      ['<!here> <!channel> <!everyone>', '@here @channel @everyone'],
      ['<!subteam^S1|@design> team', '@design team'],
      ['<!date^1392734382^{date}|Feb 18, 2014>', 'Feb 18, 2014'],
      ['see <https://x.example/a?b=1&amp;c=2|label>', 'see https://x.example/a?b=1&c=2'],
      ['see <https://x.example/>', 'see https://x.example/'],
      ['mail <mailto:a@b.example|a@b.example>', 'mail a@b.example'],
      ['fish &amp; chips &lt;b&gt;', 'fish & chips <b>'],
      // A `<` typed by the person arrives as an entity: it stays text and is never read as markup.
      ['&lt;@U999&gt; typed by hand', '<@U999> typed by hand'],
    ];
    for (const [escaped, typed] of cases) expect(plainSlackText(escaped), escaped).toBe(typed);
  });

  it('keeps the raw mention for budget commands only', () => {
    const seen: string[] = [];
    const parse = (text: string): ParseResult => {
      seen.push(text);
      return text.startsWith('budget <@')
        ? { ok: true, intent: { kind: 'budget', change: null } }
        : { ok: true, intent: { kind: 'help' } };
    };
    parseSlackText('budget <@U1|bob> 5/day', parse);
    parseSlackText('Budget cuts in <#C1|town>', parse);
    parseSlackText('a fox &amp; <@U1|bob>', parse);
    expect(seen).toEqual([
      'budget <@U1|bob> 5/day',
      // A prompt that starts with the word: tried raw, then parsed as typed.
      'Budget cuts in <#C1|town>',
      'Budget cuts in #town',
      'a fox & @bob',
    ]);
  });
});

describe('escaped text over Socket Mode', () => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await SlackHarness.start();
  });

  afterAll(async () => {
    await h?.close();
  });

  async function answer(payload: { response_url?: string }): Promise<string> {
    const url = payload.response_url ?? '';
    await h.until(() => h.fake.workspace.responseUrlPosts(url).length > 0);
    return String((h.fake.workspace.responseUrlPosts(url)[0]?.body as { text?: string } | undefined)?.text);
  }

  it('/sora budget <@U…|bob> 5/day sets bob’s limit by his id', async () => {
    const escaped = h.fake.payloads.escapeLikeSlack('budget @bob 5/day');
    expect(escaped).toBe(`budget <@${BOB}|bob> 5/day`);
    const set = h.command(escaped, { user: ADMIN });
    await set.ack;
    expect(await answer(set.payload)).toContain(`Done: @${BOB} may spend $5.00 a day`);
    const mine = h.command('budget', { user: BOB });
    await mine.ack;
    expect(await answer(mine.payload)).toMatch(/You today: \$0\.00 of \$5\.00/);
  });

  it('@sora budget <@U…> 3/day from a mention names the person too', async () => {
    const mention = h.fake.payloads.appMention({
      channel: CHANNEL,
      text: `budget <@${BOB}> 3/day`,
      userId: ADMIN,
    });
    await h.fake.socket.sendEvent(mention);
    const reply = await h.until(() =>
      h.fake.workspace.ephemerals(CHANNEL).find((e) => e.thread_ts === mention.event.ts),
    );
    expect(reply.text).toContain(`Done: @${BOB} may spend $3.00 a day`);
  });

  it('asks for a prompt as typed and echoes it without a live mention, channel or link', async () => {
    const typed = '@here @alice in #general, see https://example.com/a?b=1&c=2 <b>';
    const escaped = `${h.fake.payloads.escapeLikeSlack(typed)} and <http://x.example|x.example>`;
    expect(escaped).toBe(
      '<!here> <@U0ALICE0001|alice> in <#C0GENERAL01|general>, see <https://example.com/a?b=1&amp;c=2> &lt;b&gt; and <http://x.example|x.example>',
    );
    await h.command(escaped).ack;
    const post = await h.fake.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.args).includes('x.example'),
    );
    const job = await h.jobByParent(String(post.response.ts));
    expect(job.request.prompt).toBe(`${typed} and http://x.example`);
    const echoed = `${String(post.args.text)} ${JSON.stringify(post.args.blocks)}`;
    expect(echoed).toContain('@here @alice in #general, see https://example.com/a?b=1&amp;c=2 &lt;b&gt;');
    for (const live of ['<!', '<@', '<#', '<http', '<mailto']) expect(echoed).not.toContain(live);
    await h.waitFor(job.id, ['delivered']);
    const caption = await h.fake.waitForCall('files.completeUploadExternal', (c) =>
      String(c.args.initial_comment).includes('x.example'),
    );
    for (const live of ['<!', '<@', '<#', '<http'])
      expect(String(caption.args.initial_comment)).not.toContain(live);
  });
});
