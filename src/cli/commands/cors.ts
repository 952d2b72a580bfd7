/** `cloudspark cors get|set|delete`: the bucket's CORS rules. */
import { Option, type Command } from 'commander';
import { defaultCorsRules, type CorsRule } from '../../s3/rules/cors.js';
import { isPlainObject } from '../../validate.js';
import { action, examples, type App } from '../action.js';
import { readJson } from '../files.js';
import { list, origin } from '../parse.js';

export function registerCors(program: Command, app: App): void {
  const cors = program.command('cors').description("the bucket's CORS rules, which let pages upload to it");

  examples(
    cors.command('get').description('print the CORS rules as JSON ([] when there are none)'),
    'cloudspark cors get --bucket my-uploads > rules.json',
  ).action(
    action(app, async (ctx) => {
      const rules = await ctx.connection().getBucketCors();
      if (rules.length === 0) ctx.out.info(`bucket "${ctx.bucket}" has no CORS rules`);
      ctx.out.result(rules, () => JSON.stringify(rules, null, 2));
    }),
  );

  examples(
    cors
      .command('set')
      .description('replace the CORS rules: from a file, for some origins, or the default (any origin)')
      .addOption(
        new Option(
          '--file <path>',
          'JSON rules: an array, or {"CORSRules": [...]} as the AWS CLI prints them; - for stdin',
        ).conflicts('origin'),
      )
      .option(
        '--origin <url>',
        'the default rule, limited to this origin (repeat for more)',
        (value: string, previous?: string[]) => list(origin(value), previous),
      ),
    'cloudspark cors set --origin https://app.example',
    'cloudspark cors set --file rules.json',
    'cloudspark cors get --json | cloudspark cors set --bucket copy --file -',
  ).action(
    action(app, async (ctx, options: { file?: string; origin?: string[] }) => {
      const rules = options.file !== undefined ? rulesFrom(await readJson(options.file)) : originRules(options.origin);
      if (options.file === undefined && options.origin === undefined)
        ctx.out.info('no --file or --origin: setting the default rule, which allows any origin');
      await ctx.connection().setBucketCors(rules);
      ctx.out.info(`CORS rules of bucket "${ctx.bucket}" set`);
      ctx.out.result({ bucket: ctx.bucket, rules }, () => undefined);
    }),
  );

  examples(
    cors.command('delete').description('remove all CORS rules'),
    'cloudspark cors delete --bucket my-uploads',
  ).action(
    action(app, async (ctx) => {
      await ctx.connection().deleteBucketCors();
      ctx.out.info(`CORS rules of bucket "${ctx.bucket}" removed`);
      ctx.out.result({ bucket: ctx.bucket, rules: [] }, () => undefined);
    }),
  );
}

/**
 * The library's default rule (the methods, headers and ETag that uploads need) for the given
 * origins, or as it is (any origin) without them. Also what `doctor` proposes as the fix.
 */
export function originRules(origins: string[] | undefined): CorsRule[] {
  const rules = defaultCorsRules();
  if (origins === undefined) return rules;
  return rules.map((rule) => ({ ...rule, AllowedOrigins: [...origins] }));
}

/** Rules as a file gives them; the library checks each rule before sending. */
function rulesFrom(doc: unknown): CorsRule[] {
  return (isPlainObject(doc) && 'CORSRules' in doc ? doc['CORSRules'] : doc) as CorsRule[];
}
