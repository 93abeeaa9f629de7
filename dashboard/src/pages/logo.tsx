/** The Jimer mark and name. */
export function Logo() {
  return (
    <span class="logo">
      <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="#1f5eff" />
        <path d="M19 8v11a5 5 0 0 1-10 0" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round" />
        <circle cx="23" cy="8" r="2.4" fill="#ffd166" />
      </svg>
      <span class="logo-text">Jimer</span>
    </span>
  )
}
