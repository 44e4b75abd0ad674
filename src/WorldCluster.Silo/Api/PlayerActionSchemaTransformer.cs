using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Wire = WorldCluster.Contracts;

namespace WorldCluster.Silo.Api;

/// <summary>
/// Describes a <see cref="Wire.PlayerAction"/> in the OpenAPI document as what the server reads: an integer (discrete),
/// an array of key names (keys), an array of numbers (box) or an object of components (dict).
/// </summary>
public sealed class PlayerActionSchemaTransformer : IOpenApiSchemaTransformer
{
    /// <inheritdoc />
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        // A custom converter leaves the item schema empty, so the array's items are described here.
        if (context.JsonTypeInfo.Type == typeof(Wire.PlayerAction[]))
        {
            schema.Items = Action();
        }
        else if (context.JsonTypeInfo.Type == typeof(Wire.PlayerAction))
        {
            var action = Action();
            (schema.Type, schema.Description, schema.AnyOf) = (null, action.Description, action.AnyOf);
        }
        return Task.CompletedTask;
    }

    private static OpenApiSchema Action() => new()
    {
        Description = "One player slot's action: an integer (discrete), the keys held (keys), numbers (box) or an object of components (dict); see docs/http-api.md, \"Actions\"",
        AnyOf =
            [
                new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Number, Format = "float" } },
                new OpenApiSchema { Type = JsonSchemaType.Object },
            ],
    };
}
