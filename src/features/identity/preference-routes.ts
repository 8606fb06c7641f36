import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../kernel/deps.ts';
import { arrangeableTableNames, knownColumns, type ArrangeableTable } from '../../core/table-columns.ts';
import { deletePreference, readPreference, writePreference } from './operator-preferences.ts';
import { actorOf } from '../kernel/request-info.ts';

const keyParam = z.object({ key: z.string().regex(/^[a-z0-9.-]{1,60}$/, 'must be a preference name like numbers.columns') });

const tableParam = z.object({ table: z.enum(arrangeableTableNames as [ArrangeableTable, ...ArrangeableTable[]], { message: `must be one of ${arrangeableTableNames.join(', ')}` }) });
const columnId = z.string().regex(/^[A-Za-z0-9_.-]{1,60}$/, 'must be a column id like status or updatedAt');
const columnsBody = z.object({
  columns: z
    .array(columnId, { message: 'must be the list of visible column ids, in order' })
    .max(50, 'lists more than 50 columns')
    .refine((ids) => new Set(ids).size === ids.length, 'lists a column more than once'),
});
const arrangement = z.object({ table: z.string(), columns: z.array(z.string()).nullable().describe('The visible columns in order; null when the operator kept the default') });

// The numbers table kept its columns under this key before every table could be arranged.
const arrangementKey = (table: ArrangeableTable) => (table === 'numbers' ? 'numbers.columns' : `table-columns.${table}`);

export function preferenceRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['profile'];
  r.get(
    '/api/me/preferences/:key',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One of your UI preferences (null when unset)', params: keyParam, response: { 200: z.object({ value: z.unknown() }) } } },
    async (request) => ({ value: await readPreference(deps, actorOf(request), request.params.key) }),
  );
  r.put(
    '/api/me/preferences/:key',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Save one of your UI preferences (e.g. visible columns)',
        params: keyParam,
        body: z.object({ value: z.unknown() }).refine((b) => JSON.stringify(b.value ?? null).length <= 10_000, 'value is too large'),
        response: { 200: z.object({ value: z.unknown() }) },
      },
    },
    async (request) => {
      await writePreference(deps, actorOf(request), request.params.key, request.body.value);
      return { value: request.body.value };
    },
  );

  r.get(
    '/api/me/table-columns/:table',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: 'Your arrangement of a table: its visible columns in order (column ids this version does not know are left out)', params: tableParam, response: { 200: arrangement } },
    },
    async (request) => {
      const { table } = request.params;
      return { table, columns: knownColumns(table, await readPreference(deps, actorOf(request), arrangementKey(table))) };
    },
  );
  r.put(
    '/api/me/table-columns/:table',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: 'Save your arrangement of a table; column ids this version does not know are dropped', params: tableParam, body: columnsBody, response: { 200: arrangement } },
    },
    async (request) => {
      const { table } = request.params;
      const columns = knownColumns(table, request.body.columns) ?? [];
      await writePreference(deps, actorOf(request), arrangementKey(table), columns);
      return { table, columns };
    },
  );
  r.delete(
    '/api/me/table-columns/:table',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Go back to the default columns of a table', params: tableParam, response: { 200: arrangement } } },
    async (request) => {
      const { table } = request.params;
      await deletePreference(deps, actorOf(request), arrangementKey(table));
      return { table, columns: null };
    },
  );
}
