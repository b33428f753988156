"""Partition pruning: the partitions a query can read, from its WHERE clause (pure).

Athena plans only the partitions a query's predicates allow; reading the others would cost
time and, worse, fail the query when another writer replaces one of them meanwhile
(HIVE_CANNOT_OPEN_SPLIT). The rule here is deliberately narrow, so that it never drops a
partition a query needs: a query that reads one table once, whose (single) SELECT's WHERE is
a conjunction holding ``key = literal`` or ``key IN (literals)`` for partition keys. Anything
else reads every registered partition.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from stepline.store.lake_records import LakePartition, LakeTable


def _literal(node: exp.Expr) -> str | None:
    """The text of a literal: 'x', 12, DATE 'x', CAST('x' AS ...); None for anything else."""
    if isinstance(node, exp.Literal):
        return str(node.this)
    if isinstance(node, exp.Cast | exp.TryCast | exp.Date) and isinstance(node.this, exp.Literal):
        return str(node.this.this)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "date" and node.expressions:
        return _literal(node.expressions[0])
    return None


def _conjuncts(node: exp.Expr) -> list[exp.Expr]:
    if isinstance(node, exp.And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    if isinstance(node, exp.Paren):
        return _conjuncts(node.this)
    return [node]


def allowed_values(tree: exp.Expression, keys: Sequence[str]) -> dict[str, set[str]]:
    """Partition key (lower case) -> the values the query's WHERE allows; keys it does not
    constrain (or a query this rule does not cover) are absent."""
    reading = tree.expression if isinstance(tree, exp.Insert) else tree  # not its target
    if not isinstance(reading, exp.Expr):
        return {}
    selects = list(reading.find_all(exp.Select))
    if len(selects) != 1 or len(list(reading.find_all(exp.Table))) != 1:
        return {}
    where = selects[0].args.get("where")
    if where is None:
        return {}
    wanted = {key.lower() for key in keys}
    found: dict[str, set[str]] = {}
    for clause in _conjuncts(where.this):
        column, values = None, None
        if isinstance(clause, exp.EQ):
            for side, other in ((clause.left, clause.right), (clause.right, clause.left)):
                value = _literal(other)
                if isinstance(side, exp.Column) and value is not None:
                    column, values = side.name.lower(), {value}
        elif isinstance(clause, exp.In) and isinstance(clause.this, exp.Column):
            texts = [_literal(item) for item in clause.expressions]
            if clause.expressions and all(text is not None for text in texts):
                column, values = clause.this.name.lower(), {t for t in texts if t is not None}
        if column in wanted and values is not None:
            found[column] = found[column] & values if column in found else values
    return found


def prune(
    table: LakeTable, partitions: Sequence[LakePartition], allowed: dict[str, set[str]]
) -> list[LakePartition]:
    """The partitions whose values the query allows."""
    keys = [key.name.lower() for key in table.partition_keys]
    kept = []
    for partition in partitions:
        values = dict(zip(keys, partition.values, strict=False))
        if all(values.get(key) in allowed[key] for key in allowed):
            kept.append(partition)
    return kept
