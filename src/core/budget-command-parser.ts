/**
 * `/sora budget` and `/sora usage`. A command word is a command only in that command's shape, so a
 * prompt such as "budget cuts hit a small town" or "budget of a small film crew" stays a prompt. The
 * shape is the word after the command word: a budget target (`workspace` or a mention) or a usage
 * period; a mistake after that is a usage problem, because a video of "budget @bob lots" is not what
 * an admin typing it wanted.
 *   budget                                  what I and the workspace have left
 *   budget workspace 300/month | off        (admins)
 *   budget @person 5/day | 40/month | off   (admins; `off/day` or `off/month` lifts one limit)
 *   usage [month | day | YYYY-MM]
 * A mention is Slack's `<@U123>` / `<@U123|name>`, Discord's `<@123>` / `<@!123>`, or `@name`.
 */
import type {
  BudgetIntent,
  ParseResult,
  UsageCode,
  UsageField,
  UsageIntent,
  UsageProblem,
} from './intents.js';

const BUDGET_FORM =
  'Budgets: `/sora budget` shows what is left; admins set `/sora budget workspace 300/month` or `/sora budget @person 5/day` (`40/month`, or `off` to lift a limit).';

function problem(
  message: string,
  field: UsageField = 'budget',
  code: UsageCode = 'invalid_value',
): { ok: false; problem: UsageProblem } {
  return { ok: false, problem: { code, field, message } };
}

/** Undefined when the words are not a budget command at all (they are a prompt). */
export function parseBudgetCommand(rest: readonly string[]): ParseResult<BudgetIntent> | undefined {
  if (rest.length === 0) return { ok: true, intent: { kind: 'budget', change: null } };
  const target = targetOf(rest[0]!);
  if (!target) return undefined;
  if (rest.length !== 2)
    return problem(BUDGET_FORM, 'budget', rest.length < 2 ? 'missing_value' : 'invalid_value');
  const amount = rest[1]!.toLowerCase();
  const off = /^off(?:\/(day|month))?$/.exec(amount);
  if (off) {
    const period =
      (off[1] as 'day' | 'month' | undefined) ?? (target.kind === 'workspace' ? 'month' : undefined);
    // `off` alone, for a person, lifts both of their limits.
    return {
      ok: true,
      intent: {
        kind: 'budget',
        change: { target, period: period ?? 'month', dollars: null, both: period === undefined },
      },
    };
  }
  const limit = /^\$?(\d{1,7}(?:\.\d{1,2})?)\/(day|d|month|mo)$/.exec(amount);
  if (!limit) return problem(BUDGET_FORM);
  const period = limit[2]!.startsWith('d') ? 'day' : 'month';
  if (target.kind === 'workspace' && period === 'day')
    return problem('A workspace budget is per month: `/sora budget workspace 300/month`.');
  return { ok: true, intent: { kind: 'budget', change: { target, period, dollars: Number(limit[1]) } } };
}

function targetOf(token: string): NonNullable<BudgetIntent['change']>['target'] | undefined {
  if (token.toLowerCase() === 'workspace') return { kind: 'workspace' };
  const mention = /^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$/.exec(token) ?? /^@([^\s@<>]{1,64})$/.exec(token);
  return mention ? { kind: 'person', user: mention[1]! } : undefined;
}

/** Undefined when the words are not a usage command (they are a prompt). */
export function parseUsageCommand(rest: readonly string[]): ParseResult<UsageIntent> | undefined {
  if (rest.length === 0)
    return { ok: true, intent: { kind: 'usage', period: { kind: 'month', year: null, month: null } } };
  if (rest.length > 1) return undefined;
  const word = rest[0]!.toLowerCase();
  if (word === 'day' || word === 'today')
    return { ok: true, intent: { kind: 'usage', period: { kind: 'day' } } };
  if (word === 'month')
    return { ok: true, intent: { kind: 'usage', period: { kind: 'month', year: null, month: null } } };
  const ym = /^(\d{4})-(\d{2})$/.exec(word);
  if (!ym) return undefined;
  const month = Number(ym[2]);
  if (month < 1 || month > 12)
    return problem('Give a month as YYYY-MM, like `/sora usage 2026-11`.', 'period');
  return { ok: true, intent: { kind: 'usage', period: { kind: 'month', year: Number(ym[1]), month } } };
}
