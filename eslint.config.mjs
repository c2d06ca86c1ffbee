import * as effectEslint from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "packages/*/docs/**", "**/*.wsdl", ".ci/**", "**/.compiled/**"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    plugins: { "@effect": effectEslint },
    rules: {
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-namespace": "off",
      // Effect's idiom: `interface X extends Schema.Schema.Type<typeof X> {}` names a Schema's type.
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-invalid-void-type": "off",
      "@typescript-eslint/unified-signatures": "off",
      "no-restricted-syntax": ["error", {
        selector: "ThrowStatement",
        message: "Errors go in the Effect error channel."
      }]
    }
  },
  {
    // The packages' bin launchers: plain JavaScript run by Node.
    files: ["packages/*/bin/*.js"],
    languageOptions: { globals: { process: "readonly", URL: "readonly" } }
  },
  {
    files: ["**/test/**/*.ts", "**/bench/**/*.ts"],
    rules: { "@typescript-eslint/no-non-null-assertion": "off" }
  }
)
