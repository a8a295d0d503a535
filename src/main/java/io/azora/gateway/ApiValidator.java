package io.azora.gateway;

import io.azora.platform.OpenApiRequests;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks each request's JSON body (and path parameters) against the operation in the project's own
 * OpenAPI document, with vertx-openapi. The body was already read by the BodyHandler, so the request is
 * handed over as a ValidatableRequest rather than re-read from the socket.
 */
final class ApiValidator {

  private final RequestValidator validator;
  private final OpenAPIContract contract;
  /** Per operation: its checks with schema validators built once, or empty for vertx-openapi's own path. */
  private final Map<String, Optional<OperationCheck>> checks = new HashMap<>();

  private record BodyCheck(Validator schema, boolean required) {
  }

  private record ParamCheck(Parameter parameter, Validator schema, ParameterTransformer transformer,
                            SimpleParameter simple) {
  }

  private record OperationCheck(List<ParamCheck> parameters, BodyCheck body) {
  }

  ApiValidator(io.vertx.core.Vertx vertx, OpenAPIContract contract) {
    this.validator = RequestValidator.create(vertx, contract);
    this.contract = contract;
  }

  /** A route handler validating against {@code operationId}; bad input ends as 400 problem+json. */
  void validate(RoutingContext ctx, String operationId) {
    Buffer raw = ctx.body().buffer();
    JsonArray numbers = raw == null || raw.length() == 0 ? null : BodyNumbers.problems(raw);
    if (numbers != null) {
      ProblemJson.send(ctx, 400, "validation_failed", "A number in the request body is out of bounds", numbers, null);
      return;
    }
    Optional<OperationCheck> check = checks.computeIfAbsent(operationId, this::operationCheck);
    if (check.isPresent()) {
      if (parametersValid(ctx, check.get().parameters())) {
        if (check.get().body() == null) {
          ctx.next();
        } else {
          validateBody(ctx, check.get().body());
        }
      }
      return;
    }
    Buffer body = ctx.body().buffer();
    Map<String, String> path = new HashMap<>();
    ctx.pathParams().forEach(path::put);
    Map<String, String> query = new HashMap<>();
    ctx.queryParams().forEach(query::put);
    var request = OpenApiRequests.of(path, query, body);
    Future<?> result;
    try {
      result = validator.validate(request, operationId);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(v -> ctx.next()).onFailure(err -> reject(ctx, err));
  }

  /**
   * vertx-openapi builds a new JSON-schema validator for every request (a third of the gateway's CPU on
   * a transfer, measured with JFR): each operation's validators are built once here instead, for
   * primitive path, query and header parameters and a JSON body. Anything else goes through vertx-openapi.
   */
  private Optional<OperationCheck> operationCheck(String operationId) {
    Operation operation = contract.operation(operationId);
    if (operation == null) {
      return Optional.empty();
    }
    List<ParamCheck> parameters = new ArrayList<>();
    for (Parameter p : operation.getParameters()) {
      if (p.getSchemaType() == SchemaType.OBJECT || p.getSchemaType() == SchemaType.ARRAY || p.getIn() == Location.COOKIE) {
        return Optional.empty();
      }
      ParameterTransformer transformer = p.getIn() == Location.QUERY ? new FormTransformer() : new SimpleTransformer();
      parameters.add(new ParamCheck(p, contract.getSchemaRepository().validator(p.getSchema()), transformer,
          SimpleParameter.of(p.getSchema())));
    }
    BodyCheck body = null;
    if (operation.getRequestBody() != null) {
      MediaType json = operation.getRequestBody().getContent().get("application/json");
      if (json == null) {
        return Optional.empty();
      }
      body = new BodyCheck(contract.getSchemaRepository().validator(json.getSchema()), operation.getRequestBody().isRequired());
    }
    return Optional.of(new OperationCheck(parameters, body));
  }

  /** Checks the parameters; on the first bad one answers 400 and returns false. */
  private static boolean parametersValid(RoutingContext ctx, List<ParamCheck> parameters) {
    for (ParamCheck check : parameters) {
      Parameter p = check.parameter();
      String raw = switch (p.getIn()) {
        case PATH -> ctx.pathParam(p.getName());
        case QUERY -> ctx.queryParams().get(p.getName());
        default -> ctx.request().getHeader(p.getName());
      };
      if (raw == null) {
        if (p.isRequired()) {
          reject(ctx, ValidatorException.createMissingRequiredParameter(p));
          return false;
        }
        continue;
      }
      if (check.simple() != null) {
        String problem = check.simple().problem(raw);
        if (problem != null) {
          ProblemJson.send(ctx, 400, "validation_failed", "The " + p.getIn().name().toLowerCase() + " parameter "
              + p.getName() + " is not valid", new JsonArray().add(new JsonObject().put("field", p.getName())
                  .put("message", problem)), null);
          return false;
        }
        continue;
      }
      Object value;
      try {
        value = check.transformer().transform(p, raw);
      } catch (RuntimeException e) {
        reject(ctx, ValidatorException.createInvalidValueFormat(p));
        return false;
      }
      OutputUnit result = check.schema().validate(value);
      if (!Boolean.TRUE.equals(result.getValid())) {
        JsonArray errors = new JsonArray();
        collect(result, errors);
        JsonArray named = new JsonArray();
        errors.forEach(e -> named.add(((JsonObject) e).copy().put("field", p.getName())));
        if (named.isEmpty()) {
          named.add(new JsonObject().put("field", p.getName()).put("message", "is not valid"));
        }
        ProblemJson.send(ctx, 400, "validation_failed", "The " + p.getIn().name().toLowerCase() + " parameter "
            + p.getName() + " is not valid", named, null);
        return false;
      }
    }
    return true;
  }

  private static void validateBody(RoutingContext ctx, BodyCheck check) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      if (check.required()) {
        reject(ctx, new ValidatorException("The related request does not contain the required body.",
            ValidatorErrorType.MISSING_REQUIRED_PARAMETER));
      } else {
        ctx.next();
      }
      return;
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      reject(ctx, e);
      return;
    }
    OutputUnit result = check.schema().validate(json);
    if (Boolean.TRUE.equals(result.getValid())) {
      ctx.next();
    } else {
      JsonArray errors = new JsonArray();
      collect(result, errors);
      if (errors.isEmpty()) {
        errors.add(new JsonObject().put("field", "body").put("message", "does not match the schema"));
      }
      ProblemJson.send(ctx, 400, "validation_failed", "The request body does not match the schema", errors, null);
    }
  }

  /** A copy of the document without response bodies, which vertx-openapi cannot read (problem+json). */
  static JsonObject requestsOnly(JsonObject document) {
    JsonObject copy = document.copy();
    copy.getJsonObject("paths", new JsonObject()).forEach(path -> ((JsonObject) path.getValue()).forEach(op -> {
      if (op.getValue() instanceof JsonObject operation && operation.containsKey("responses")) {
        operation.put("responses", new JsonObject().put("default", new JsonObject().put("description", "any")));
      }
    }));
    JsonObject components = copy.getJsonObject("components");
    if (components != null) {
      components.remove("responses");
    }
    return copy;
  }

  private static void reject(RoutingContext ctx, Throwable err) {
    JsonArray errors = new JsonArray();
    String detail = "The request does not match the API";
    if (err instanceof SchemaValidationException sve && sve.getOutputUnit() != null) {
      collect(sve.getOutputUnit(), errors);
      detail = "The request body does not match the schema";
    } else if (err instanceof ValidatorException ve) {
      detail = ve.getMessage();
    } else if (err instanceof DecodeException) {
      detail = "The request body is not valid JSON";
    }
    if (errors.isEmpty()) {
      errors.add(new JsonObject().put("field", "body").put("message", String.valueOf(err.getMessage())));
    }
    ProblemJson.send(ctx, 400, "validation_failed", detail, errors, null);
  }

  /**
   * The leaf errors of a JSON-schema output unit as {field, message}, one per field, in words a client
   * developer can act on (the validator's own wrappers, "A subschema had errors", are dropped).
   */
  private static void collect(OutputUnit unit, JsonArray out) {
    java.util.Map<String, String> byField = new java.util.LinkedHashMap<>();
    leaves(unit, byField);
    byField.forEach((field, message) -> out.add(new JsonObject().put("field", field).put("message", message)));
  }

  private static void leaves(OutputUnit unit, java.util.Map<String, String> byField) {
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      unit.getErrors().forEach(e -> leaves(e, byField));
      return;
    }
    String error = unit.getError();
    if (error == null || error.startsWith("A subschema had errors")) {
      return;
    }
    String location = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
    String field = location.replaceFirst("^#?/?", "").replace('/', '.');
    String keyword = unit.getKeywordLocation() == null ? "" : unit.getKeywordLocation();
    boolean generic = error.contains("does not match schema") || error.contains("does not match additional properties");
    String message = keyword.endsWith("additionalProperties") || error.contains("additional properties")
        ? "Unknown field" : error;
    if (!byField.containsKey(field.isEmpty() ? "body" : field) || !generic) {
      byField.merge(field.isEmpty() ? "body" : field, message, (old, neu) -> neu.equals("Unknown field") ? old : neu);
    }
  }
}
