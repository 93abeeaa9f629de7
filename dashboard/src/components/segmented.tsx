// A row of mutually exclusive choices (Prefix | Contains, 7 | 30 | 90 days).
export function Segmented<T extends string | number>(props: { value: T; options: readonly (readonly [T, string])[]; onChange: (v: T) => void; label: string }) {
  return (
    <div class="segmented" role="radiogroup" aria-label={props.label}>
      {props.options.map(([v, text]) => (
        <button key={String(v)} type="button" role="radio" aria-checked={v === props.value} class={v === props.value ? 'on' : ''} onClick={() => props.onChange(v)}>
          {text}
        </button>
      ))}
    </div>
  )
}

/** An on/off switch with its label. */
export function Switch(props: { checked: boolean; onChange: (v: boolean) => void; label: string; disabled?: boolean }) {
  return (
    <label class="switch">
      <input type="checkbox" role="switch" checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <span class="switch-track" aria-hidden="true"><span class="switch-thumb" /></span>
      <span>{props.label}</span>
    </label>
  )
}
