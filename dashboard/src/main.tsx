import { render } from 'preact'
import { App } from './app'
import { onLinkClick } from './router'
import './styles/index.css'

// In-app links navigate through the router; one listener covers every <a>.
document.addEventListener('click', onLinkClick)
render(<App />, document.getElementById('app')!)
