using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WorldCluster.Silo.Auth;

/// <summary>Declares the bearer scheme in the OpenAPI document, required by every operation in it.</summary>
public sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    private const string Scheme = "Bearer";

    /// <inheritdoc />
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An admin token (<data>/admin.token), an invite or a join token; see docs/security.md",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, document)] = [] }];
        return Task.CompletedTask;
    }
}
