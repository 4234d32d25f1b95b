// The API documentation page: Swagger UI (vendored, served by the binary) over the platform's
// own OpenAPI document. Nothing is fetched from outside: the spec validator is switched off,
// and "try it out" is limited to reads, which go with the signed-in session's cookie.
window.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("swagger-ui");
  if (!el || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: el.getAttribute("data-spec"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    supportedSubmitMethods: ["get"],
    docExpansion: "list",
    defaultModelsExpandDepth: 0
  });
});
