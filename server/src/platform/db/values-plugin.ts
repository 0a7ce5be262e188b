import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

/**
 * Reconciles what the two databases store and return, so that domain code never asks which one
 * it talks to:
 * - parameters: Date → ISO string; plain objects and arrays → JSON text; booleans → 1/0 on SQLite;
 * - results: `is_*`/`has_*` columns → booleans; `*_json` columns → parsed JSON (SQLite keeps text).
 * PostgreSQL timestamps and bigints are normalised by the pg type parsers in database.ts.
 */
export class ValuesPlugin implements KyselyPlugin {
  readonly #transformer: ParamTransformer;

  constructor(isSqlite: boolean) {
    this.#transformer = new ParamTransformer(isSqlite);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return { ...args.result, rows: args.result.rows.map(normaliseRow) };
  }
}

class ParamTransformer extends OperationNodeTransformer {
  readonly #isSqlite: boolean;

  constructor(isSqlite: boolean) {
    super();
    this.#isSqlite = isSqlite;
  }

  protected override transformValue(node: ValueNode): ValueNode {
    return super.transformValue({ ...node, value: this.#convert(node.value) });
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return super.transformPrimitiveValueList({ ...node, values: node.values.map((v) => this.#convert(v)) });
  }

  #convert(value: unknown): unknown {
    return toDatabaseValue(value, this.#isSqlite);
  }
}

/** A parameter as the database stores it (what the plugin does to every value in a query). */
export function toDatabaseValue(value: unknown, isSqlite: boolean): unknown {
  if (typeof value === 'boolean') return isSqlite ? (value ? 1 : 0) : value;
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}

const BOOLEAN_COLUMN = /^(is|has)_/;
const JSON_COLUMN = /_json$/;

/** A result row as domain code sees it (what the plugin does to every row). */
export function normaliseRow(row: UnknownRow): UnknownRow {
  let out: UnknownRow | undefined;
  for (const key in row) {
    const value = row[key];
    let next = value;
    if (typeof value === 'number' && BOOLEAN_COLUMN.test(key)) next = value !== 0;
    else if (typeof value === 'string' && JSON_COLUMN.test(key)) next = JSON.parse(value);
    if (next !== value) {
      out ??= { ...row };
      out[key] = next;
    }
  }
  return out ?? row;
}
