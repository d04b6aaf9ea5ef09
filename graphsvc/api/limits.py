"""Query limits: depth, aliases, tokens (Strawberry's limiters) and a static cost budget.

The cost of a field is 1 plus its children's cost, times the page size it asks for (`first` or
`limit`, or the argument's default; a variable counts as its value, or its default). Lists without such an
argument count as LIST_GUESS items. The cost is reported in ``extensions.cost`` of every
response, and an operation over the budget is refused before it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """Every query limit in one place (see the README's limits table)."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    max_cost: int = 50_000


PAGE_ARGUMENTS = ("first", "limit")
LIST_GUESS = 10
_PAGED_CHILDREN = frozenset({"edges", "nodes"})  # lists whose size the parent's `first` fixed


def estimate_cost(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """Static cost of the operation that would run (0 when there is none to pick)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return 0
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = {  # a variable's default written in the query counts as much as one passed in
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    values.update(variables or {})
    return _selection_cost(schema, root, operation.selection_set, fragments, values, (), {})


def _selection_cost(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    seen: tuple[str, ...],
    memo: dict[str, int],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(schema, parent, selection, fragments, variables, seen, memo)
        elif isinstance(selection, InlineFragmentNode):
            on = parent
            if selection.type_condition is not None:
                on = schema.get_type(selection.type_condition.name.value) or parent
            total += _selection_cost(
                schema, on, selection.selection_set, fragments, variables, seen, memo
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue  # circular fragments are refused by validation; never loop here
            if name not in memo:  # each fragment is costed once: no exponential re-walks
                on = schema.get_type(fragment.type_condition.name.value) or parent
                memo[name] = _selection_cost(
                    schema, on, fragment.selection_set, fragments, variables, (*seen, name), memo
                )
            total += memo[name]
    return total


def _field_cost(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    node: FieldNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
    seen: tuple[str, ...],
    memo: dict[str, int],
) -> int:
    name = node.name.value
    if name.startswith("__") or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        return 1
    field: GraphQLField | None = parent.fields.get(name)
    if field is None:
        return 1
    child_type = get_named_type(field.type)
    children = _selection_cost(
        schema, child_type, node.selection_set, fragments, variables, seen, memo
    )
    return 1 + _multiplier(field, node, variables) * children


def _multiplier(field: GraphQLField, node: FieldNode, variables: Mapping[str, Any]) -> int:
    given = {arg.name.value: arg.value for arg in node.arguments or ()}
    for name in PAGE_ARGUMENTS:
        if name not in field.args:
            continue
        value = given.get(name)
        if isinstance(value, IntValueNode):
            return max(int(value.value), 1)
        if isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
            if isinstance(raw, int) and not isinstance(raw, bool):
                return max(raw, 1)
        default = field.args[name].default_value
        return max(default, 1) if isinstance(default, int) else LIST_GUESS
    field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if isinstance(field_type, GraphQLList):
        return 1 if node.name.value in _PAGED_CHILDREN else LIST_GUESS
    return 1


MAX_EXPANDED_SELECTIONS = 10_000


def expanded_selections(document: DocumentNode) -> int:
    """How many field selections the document holds once every fragment spread is expanded,
    counted with one pass per fragment (a spread cycle counts as nothing here; validation
    reports it)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    sizes: dict[str, int] = {}
    visiting: set[str] = set()

    def size(selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += 1 + size(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += size(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += fragment_size(selection.name.value)
            if total > MAX_EXPANDED_SELECTIONS:
                return total
        return total

    def fragment_size(name: str) -> int:
        if name not in sizes:
            if name in visiting or name not in fragments:
                return 0
            visiting.add(name)
            sizes[name] = size(fragments[name].selection_set)
            visiting.discard(name)
        return sizes[name]

    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return sum(size(op.selection_set) for op in operations)


class GuardedValidationCache(ValidationCache):
    """Strawberry's validation cache, after refusing documents whose fragments expand past
    MAX_EXPANDED_SELECTIONS selections: validators walk spreads again and again, so 20
    fragments that each spread the next twice would otherwise hold the server for minutes."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        count = expanded_selections(document) if document is not None else 0
        if count > MAX_EXPANDED_SELECTIONS:
            context.pre_execution_errors = [
                GraphQLError(
                    f"the query expands to over {count:,} field selections through its"
                    f" fragments, over the limit of {MAX_EXPANDED_SELECTIONS:,}",
                    extensions={"code": "FRAGMENT_EXPANSION_LIMIT"},
                )
            ]
            yield
            return
        yield from super().on_validate()


def cost_limiter(max_cost: int) -> Callable[[], SchemaExtension]:
    """A factory of the cost extension (a new instance per request)."""

    class CostLimiter(SchemaExtension):
        """Refuses operations over the budget; reports the cost in ``extensions.cost``."""

        cost: int | None = None

        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            if context.graphql_document is not None:
                self.cost = estimate_cost(
                    context.schema._schema,
                    context.graphql_document,
                    context.operation_name,
                    context.variables,
                )
                if self.cost > max_cost:
                    context.result = ExecutionResult(
                        data=None,
                        errors=[
                            GraphQLError(
                                f"query cost {self.cost:,} is over the budget of {max_cost:,}"
                                f" ({self.cost / max_cost:.1f}x): ask for smaller pages"
                                " (`first`, `limit`) or fewer nested lists",
                                extensions={
                                    "code": "COST_LIMIT",
                                    "cost": self.cost,
                                    "budget": max_cost,
                                },
                            )
                        ],
                    )
            yield

        def get_results(self) -> dict[str, Any]:
            if self.cost is None:
                return {}
            return {"cost": {"estimated": self.cost, "budget": max_cost}}

    return CostLimiter


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Every limiter and cache, as factories (a fresh extension per request).

    The limiters' validation-rule classes are made once here and shared by every request's
    extension, so that the validation cache (keyed by the rules) hits for repeated queries.
    """
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    return [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ParserCache(maxsize=256),
        lambda: GuardedValidationCache(maxsize=256),
        cost_limiter(limits.max_cost),
    ]
