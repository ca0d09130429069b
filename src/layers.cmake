# The layers of src/, lowest first: each is a static library (tenantd_<name>) that links the layers
# it may use, and scripts/check_layers.py fails the build when a file includes a header from any
# other layer (cmake/TenantdLayers.cmake, docs/decisions/0026-layer-targets.md). A new layer is one
# tenantd_layer() line here, placed after the layers it uses, plus its name in the DEPS of the layers
# that use it.
#
# ALLOW lists single headers that a layer includes although their layer is not among its DEPS: the
# known violations, each with its reason. Tighten by deleting the entry once the include is gone.

tenantd_layer(core SOURCES ${BUILD_INFO_CPP})
tenantd_layer(domain DEPS core)
tenantd_layer(obs DEPS core)
# The ItemStore port and the TTL sweeper (which logs a failed pass); the backends are layers of
# their own below.
tenantd_layer(store DEPS core obs)
tenantd_layer(aws DEPS core
  # CognitoDirectory and EcsTagReader implement ports of the service layer, so they belong to an
  # adapter above service, not to the AWS clients that events and store_dynamodb use (header-only:
  # no link to service).
  ALLOW service/directory.hpp service/ecs_events.hpp)
tenantd_layer(auth DEPS core)
tenantd_layer(events DEPS core obs store aws)
# records/ (the services' store mapping: items, keys, the change log) is built with service: it
# still uses service's Context, Page and TenantRole (service/context.hpp, service/policy.hpp);
# once those move to domain it becomes a layer of its own below service.
tenantd_layer(service DIRS service records DEPS core domain store
  # The caller's identity: a plain value that belongs in domain (header-only).
  ALLOW auth/principal.hpp
  # The outbox event that services write with each change: a stored record, so it belongs with
  # the records layer, below service, not with the dispatcher and its sinks.
        events/outbox_event.hpp
  LINKS events)
tenantd_layer(store_sqlite DIRS store/sqlite DEPS core store)
tenantd_layer(store_dynamodb DIRS store/dynamodb DEPS core store aws)
tenantd_layer(store_postgres DIRS store/postgres DEPS core store WHEN TENANTD_POSTGRES)
tenantd_layer(provision DEPS core domain obs store aws service)
tenantd_layer(api DIRS api api/handlers api/encoders DEPS core domain store obs auth service
  # The summary lists the outbox (events::list_outbox) itself rather than through a service.
  ALLOW events/dispatcher.hpp
  LINKS events
  SOURCES ${OPENAPI_CPP})
tenantd_layer(console DEPS core store auth api SOURCES ${CONSOLE_CPP})
tenantd_layer(transport DEPS core
  # The server renders its own errors (bad request, body too large) with the API's error body.
  ALLOW api/responses.hpp
  LINKS api)
tenantd_layer(lambda DEPS core)
tenantd_layer(app
  DEPS core domain store obs aws auth events service store_sqlite store_dynamodb store_postgres
       provision api console transport lambda)
