"""The execution fast path: plain-attribute fields completed in tight loops, the same answer.

graphql-core resolves every field through the same machinery: a path object, a
``ResolveInfo``, a resolver call, awaitable checks and a chain of ``complete_*`` calls, about
5 µs a field. Most fields of a large answer need none of it: they read an attribute of a
Strawberry object (a "basic" field, with no resolver, arguments or extensions) and return a
leaf, or an object or list whose selected fields are all of that kind.

``FastExecutor`` plans each field of an operation once per execution (the plan follows
graphql-core's own per-execution cache of collected fields, so ``@include``/``@skip`` with
variables are already applied). A field is *inline* when its value can be built from
attributes alone: a basic field whose type is a scalar or enum, a list of those, an object
type whose selected fields are all inline, or a ``Node``-style interface resolved the way
Strawberry resolves it. ``execute_fields`` completes inline fields by small closures, with
no path, info or resolver call; every other field (a resolver, arguments, a union, a
directive other than ``@include``/``@skip``, resolver middleware) runs the standard way, and
its objects' inline fields are fast again one level down.

Never guess: an inline completion only reads attributes and coerces leaves, so it has no side
effects, and whenever a value is not exactly what the fast path knows (a null where the schema
says non-null, a value of another type, an exception, an awaitable, a cast object, a custom
scalar that refuses a value) it gives up on that field and the standard executor runs the field
again from its resolver, producing the same data and the same errors (message, path, locations)
as it would have alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, gather_with_cancel
from graphql.type import TypeNameMetaFieldDef
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField

#: Where Strawberry keeps its definition of a GraphQL type or field.
DEFINITION = "strawberry-definition"
#: Directives that are fully applied when fields are collected (anything else: standard path).
COLLECTION_DIRECTIVES = frozenset({"include", "skip"})
INT_MIN, INT_MAX = -(2**31), 2**31 - 1

#: Completes one value of a field (the attribute read) into its JSON-ready result.
Complete = Callable[[Any], Any]


class Never:
    """A type no value has: the exact type of fields whose every value needs completing."""


#: A field completed inline: the attribute to read, the type of values that are their own
#: completion, and how to complete any other value.
Inline = tuple[str, type, Complete]


#: The fields of a grouped field set: response name, field details, inline plan or None.
Planned = tuple[tuple[str, FieldDetailsList, Inline | None], ...]


class Miss(Exception):
    """The fast path does not cover this value: the standard path completes the field."""


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with inline completion of plain-attribute fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        #: Resolver middleware (an extension's ``resolve`` hook) must see every field.
        self.fast = middleware is None or not middleware.middlewares
        self._fields: dict[tuple[str, int], tuple[GroupedFieldSet, Planned]] = {}
        self._objects: dict[tuple[str, int, bool], tuple[FieldDetailsList, Complete | None]]
        self._objects = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """graphql-core's ``execute_fields``, with inline fields completed without a path,
        an info or a resolver call; any other field, or a miss, runs the standard way.

        Root fields (no path yet) run the standard way: they are resolvers, and a root field
        set is collected anew for each subscription event, so planning it would only grow."""
        if not self.fast or path is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, inline in self._plan(
                parent_type, grouped_field_set
            ):
                if inline is not None:
                    attribute, _exact, complete = inline
                    try:
                        results[response_name] = complete(getattr(source_value, attribute))
                        continue
                    except Exception:  # every miss reruns the field the standard way
                        pass
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:  # settle the other fields' awaitables: they may fail too
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Planned:
        """Each field of a grouped field set with its inline plan (planned once per execution:
        graphql-core collects a selection's fields once and reuses the same set)."""
        key = (parent_type.name, id(grouped_field_set))
        planned = self._fields.get(key)
        if planned is None or planned[0] is not grouped_field_set:
            plan = tuple(
                (name, details, self._plan_field(parent_type, details))
                for name, details in grouped_field_set.items()
            )
            planned = self._fields[key] = (grouped_field_set, plan)
        return planned[1]

    # Planning ---------------------------------------------------------------------------
    def _plan_field(
        self, parent_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> Inline | None:
        """The attribute to read and how to complete it, or None for the standard path."""
        for details in field_details_list:
            node = details.node
            if node.arguments or details.fragment_variable_values is not None:
                return None
            if any(d.name.value not in COLLECTION_DIRECTIVES for d in node.directives or ()):
                return None
        name = field_details_list[0].node.name.value
        if name == "__typename":
            type_name = parent_type.name
            return "__class__", Never, lambda _value: type_name
        field = self.schema.get_field(parent_type, name)
        if field is None or field is TypeNameMetaFieldDef:
            return None
        attribute = basic_attribute(field)
        if attribute is None:
            return None
        complete = self._complete(field.type, field_details_list)
        return None if complete is None else (attribute, exact_type(field.type), complete)

    def _complete(
        self, type_: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        """How to complete a value of a type, or None when the fast path does not cover it."""
        nullable = not isinstance(type_, GraphQLNonNull)
        named = type_ if nullable else cast("GraphQLNonNull[Any]", type_).of_type
        if isinstance(named, GraphQLList):
            item = self._complete(named.of_type, field_details_list)
            return None if item is None else list_completion(item, nullable)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return leaf_completion(named, nullable, self.is_awaitable)
        if isinstance(named, GraphQLObjectType):
            return self._object(named, field_details_list, nullable)
        if isinstance(named, GraphQLInterfaceType):
            interface = self._interface(named, field_details_list)
            return None if interface is None else nullable_completion(interface, nullable)
        return None  # unions: the standard path

    def _object(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList, nullable: bool
    ) -> Complete | None:
        """Completion of an object value whose selected fields are all inline."""
        key = (object_type.name, id(field_details_list), nullable)
        cached = self._objects.get(key)
        if cached is not None and cached[0] is field_details_list:
            return cached[1]
        self._objects[key] = (field_details_list, None)  # a cycle is not inline
        complete = self._plan_object(object_type, field_details_list, nullable)
        self._objects[key] = (field_details_list, complete)
        return complete

    def _plan_object(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList, nullable: bool
    ) -> Complete | None:
        definition = object_type.extensions.get(DEFINITION)
        if not isinstance(definition, StrawberryObjectDefinition) or definition.is_type_of:
            return None  # only Strawberry's own is_type_of (which ignores info) is known
        grouped, new_defer_usages, forbidden = self.collect_subfields(
            object_type, field_details_list
        )
        if new_defer_usages or forbidden:
            return None
        fields: list[tuple[str, str, type, Complete]] = []
        for response_name, sub_details in grouped.items():
            inline = self._plan_field(object_type, sub_details)
            if inline is None:
                return None
            fields.append((response_name, *inline))
        return object_completion(tuple(fields), object_type.is_type_of, nullable, self.is_awaitable)

    def _interface(
        self, interface: GraphQLInterfaceType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        """Completion of a non-null interface value, resolved as Strawberry resolves it."""
        definition = interface.extensions.get(DEFINITION)
        if (
            not isinstance(definition, StrawberryObjectDefinition)
            or definition.resolve_type is not None
            or interface.resolve_type is None
        ):
            return None
        origin = definition.origin
        by_class: dict[type, Complete | None] = {}

        def runtime(cls: type) -> Complete | None:
            """The completion of the runtime type Strawberry resolves instances of cls to."""
            object_definition = getattr(cls, "__strawberry_definition__", None)
            if (
                not issubclass(cls, origin)
                or not isinstance(object_definition, StrawberryObjectDefinition)
                or object_definition.is_graphql_generic
            ):
                return None  # Strawberry would search the type map or call is_type_of
            runtime_type = self.schema.get_type(object_definition.name)
            if not isinstance(runtime_type, GraphQLObjectType) or not self.schema.is_sub_type(
                interface, runtime_type
            ):
                return None  # the standard path raises its error
            return self._object(runtime_type, field_details_list, False)

        def complete(value: Any) -> Any:
            cls = type(value)
            try:
                complete_object = by_class[cls]
            except KeyError:
                complete_object = by_class[cls] = runtime(cls)
            if complete_object is None or getattr(value, TYPE_CAST_ATTRIBUTE, None) is not None:
                raise Miss
            return complete_object(value)

        return complete


def basic_attribute(field: GraphQLField) -> str | None:
    """The attribute a basic Strawberry field reads (no resolver, extensions or arguments)."""
    definition = field.extensions.get(DEFINITION)
    if (
        not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or definition.default_resolver is not getattr
        or field.args
        or not getattr(field.resolve, "_is_default", False)
    ):
        return None
    return definition.python_name


def exact_type(type_: GraphQLOutputType) -> type:
    """The Python type whose values a leaf type's completion returns unchanged."""
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if named is GraphQLString or named is GraphQLID:
        return str
    if named is GraphQLBoolean:
        return bool
    return Never


def nullable_completion(complete: Complete, nullable: bool) -> Complete:
    """Null (or a miss where null is not allowed) for None, else ``complete``."""

    def complete_nullable(value: Any) -> Any:
        if value is None or value is Undefined:
            if nullable:
                return None
            raise Miss
        return complete(value)

    return complete_nullable


def list_completion(item: Complete, nullable: bool) -> Complete:
    """A list or tuple, item by item (any other iterable: the standard path)."""

    def complete_list(value: Any) -> Any:
        cls = type(value)
        if cls is list or cls is tuple:
            return [item(v) for v in value]
        if (value is None or value is Undefined) and nullable:
            return None
        raise Miss

    return complete_list


def object_completion(
    fields: tuple[tuple[str, str, type, Complete], ...],
    is_type_of: Callable[[Any, Any], Any] | None,
    nullable: bool,
    is_awaitable: Callable[[Any], bool],
) -> Complete:
    """A dict of the selected fields, read as attributes and completed (a value of a field's
    exact type is its own completion)."""
    plain: set[type] = set()

    def complete_object(value: Any) -> Any:
        if value is None or value is Undefined:
            if nullable:
                return None
            raise Miss
        cls = type(value)
        if cls not in plain:
            if isinstance(value, Exception) or is_awaitable(value):
                raise Miss
            if not hasattr(cls, "__await__"):
                plain.add(cls)
        if is_type_of is not None and not is_type_of(value, None):
            raise Miss  # the standard path raises "Expected value of type …"
        out = {}
        for name, attribute, exact, complete in fields:
            field = getattr(value, attribute)
            out[name] = field if type(field) is exact else complete(field)
        return out

    return complete_object


def leaf_completion(
    type_: GraphQLScalarType | GraphQLEnumType,
    nullable: bool,
    is_awaitable: Callable[[Any], bool],
) -> Complete:
    """Coercion of a scalar or enum value, as graphql-core's ``complete_leaf_value``."""
    coerce = type_.coerce_output_value

    def generic(value: Any) -> Any:
        if value is None or value is Undefined:
            if nullable:
                return None
            raise Miss
        if isinstance(value, Exception) or is_awaitable(value):
            raise Miss
        out = coerce(value)
        if out is None or out is Undefined:
            raise Miss
        return out

    exact = exact_type(type_)
    if exact is not Never:

        def same(value: Any) -> Any:
            return value if type(value) is exact else generic(value)

        return same
    if type_ is GraphQLInt:

        def integer(value: Any) -> Any:
            if type(value) is int and INT_MIN <= value <= INT_MAX:
                return value
            return generic(value)

        return integer
    if type_ is GraphQLFloat:

        def real(value: Any) -> Any:
            if type(value) is float and math.isfinite(value):
                return value
            return generic(value)

        return real
    definition = type_.extensions.get(DEFINITION)
    if isinstance(type_, GraphQLEnumType) or isinstance(definition, StrawberryEnumDefinition):
        members = (
            definition.wrapped_cls if isinstance(definition, StrawberryEnumDefinition) else None
        )
        names: dict[int, Any] = {}  # by id(): members live as long as their class

        def enum(value: Any) -> Any:
            if members is not None and type(value) is members:
                try:
                    return names[id(value)]
                except KeyError:
                    names[id(value)] = out = generic(value)
                    return out
            return generic(value)

        return enum
    return generic
