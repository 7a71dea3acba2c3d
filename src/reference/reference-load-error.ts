/** Why a reference snapshot could not be used. Every case names the file. */
export type ReferenceLoadError =
  | { readonly kind: "missing_file"; readonly file: string; readonly message: string }
  | { readonly kind: "invalid_json"; readonly file: string; readonly message: string }
  | { readonly kind: "invalid_shape"; readonly file: string; readonly field: string; readonly message: string; readonly issueCount: number }
  | { readonly kind: "inconsistent"; readonly file: string; readonly field: string; readonly message: string }
  | { readonly kind: "download_failed"; readonly file: string; readonly message: string };

export function formatReferenceError(error: ReferenceLoadError): string {
  return error.message;
}
