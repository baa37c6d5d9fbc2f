/**
 * Catalogue column types as DuckDB's node-api type objects, and back.
 *
 * Holds: `duckTypeOf` (the type a lent batch's column is scanned as) and `kindOfDuck` (the
 * catalogue type a result column reads back as).
 * Does not hold: SQL type names (see `column-kinds.ts`, which loads no DuckDB).
 */
import type { ColumnType } from "@hashhound/core"
import {
  DuckDBBigIntType,
  DuckDBBooleanType,
  DuckDBDoubleType,
  DuckDBIntegerType,
  DuckDBTypeId,
  DuckDBVarCharType,
  LIST,
  type DuckDBType
} from "@duckdb/node-api"

export const duckTypeOf = (kind: ColumnType): DuckDBType => {
  switch (kind) {
    case "int32":
      return DuckDBIntegerType.instance
    case "int64":
      return DuckDBBigIntType.instance
    case "float64":
      return DuckDBDoubleType.instance
    case "bool":
      return DuckDBBooleanType.instance
    case "utf8":
      return DuckDBVarCharType.instance
    case "list_int32":
      return LIST(DuckDBIntegerType.instance)
    case "list_float64":
      return LIST(DuckDBDoubleType.instance)
  }
}

/** The catalogue column type a DuckDB column reads back as; undefined when it is none of ours. */
export const kindOfDuck = (type: DuckDBType): ColumnType | undefined => {
  switch (type.typeId) {
    case DuckDBTypeId.INTEGER:
      return "int32"
    case DuckDBTypeId.BIGINT:
      return "int64"
    case DuckDBTypeId.DOUBLE:
      return "float64"
    case DuckDBTypeId.BOOLEAN:
      return "bool"
    case DuckDBTypeId.VARCHAR:
      return "utf8"
    case DuckDBTypeId.LIST: {
      const inner = type.valueType.typeId
      return inner === DuckDBTypeId.INTEGER ? "list_int32" : inner === DuckDBTypeId.DOUBLE ? "list_float64" : undefined
    }
    default:
      return undefined
  }
}
