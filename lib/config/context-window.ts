/**
 * What a config file says about a model's context window, read from the raw config data (chat, the probe
 * and doctor's loaded-model check all need it, without the chat machinery).
 */

/**
 * The `contextWindow` a config's model entry sets explicitly (a defaulted one is not sent: it could be
 * smaller than what a large-VRAM host gives by default).
 */
export function explicitContextWindow(data: Record<string, unknown>, providerId: string, modelId: string): number | undefined {
  const providers = (data.models as { providers?: Record<string, { models?: unknown }> } | undefined)?.providers;
  const models = providers?.[providerId]?.models;
  if (!Array.isArray(models)) return undefined;
  const entry = models.find((m) => (m as { id?: unknown } | null)?.id === modelId) as { contextWindow?: unknown } | undefined;
  return typeof entry?.contextWindow === "number" && entry.contextWindow > 0 ? entry.contextWindow : undefined;
}
