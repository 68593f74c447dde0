import type { Selectable } from 'kysely';
import type { Template } from '../domain/models.js';
import type { Db, TemplatesTable } from './schema.js';

const toTemplate = (row: Selectable<TemplatesTable>): Template => ({
  id: row.id,
  name: row.name,
  description: row.description,
  events: JSON.parse(row.events) as string[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Every template, by name. */
export async function listTemplates(db: Db): Promise<Template[]> {
  const rows = await db.selectFrom('templates').selectAll().orderBy('name').execute();
  return rows.map(toTemplate);
}

/** One template, or null. */
export async function findTemplate(db: Db, id: string): Promise<Template | null> {
  const row = await db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTemplate(row) : null;
}

/** Adds a template; a duplicate name raises a unique violation. */
export async function insertTemplate(db: Db, template: Template): Promise<Template> {
  const row = await db
    .insertInto('templates')
    .values({
      id: template.id,
      name: template.name,
      description: template.description,
      events: JSON.stringify(template.events),
      created_at: template.createdAt,
      updated_at: template.updatedAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTemplate(row);
}

/** Removes a template (webhooks made from it keep their events); answers whether it existed. */
export async function deleteTemplate(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('templates').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
