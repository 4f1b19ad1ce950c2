/** The ranges OpenAI's API accepts for sampling settings; the proxy and the CLI check against the same ones. */
export const SAMPLING_RANGES = {
  temperature: { min: 0, max: 2 },
  top_p: { min: 0, max: 1 },
  presence_penalty: { min: -2, max: 2 },
  frequency_penalty: { min: -2, max: 2 },
} as const;
