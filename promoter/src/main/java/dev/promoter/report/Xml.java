package dev.promoter.report;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.Writer;

/**
 * A thin wrapper over the JDK's {@link XMLStreamWriter}, which escapes text and attribute values itself;
 * every string also passes through {@link ReportText#xmlSafe} so that no character XML cannot hold gets in.
 */
final class Xml {
    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    private final XMLStreamWriter w;

    private Xml(XMLStreamWriter w) {
        this.w = w;
    }

    static Xml on(Writer out) throws XMLStreamException {
        return new Xml(FACTORY.createXMLStreamWriter(out));
    }

    XMLStreamWriter raw() {
        return w;
    }

    Xml open(String element) throws XMLStreamException {
        w.writeStartElement(element);
        return this;
    }

    Xml attr(String name, Object value) throws XMLStreamException {
        w.writeAttribute(name, ReportText.xmlSafe(String.valueOf(value)));
        return this;
    }

    Xml text(Object value) throws XMLStreamException {
        w.writeCharacters(ReportText.xmlSafe(value == null ? "" : value.toString()));
        return this;
    }

    Xml close() throws XMLStreamException {
        w.writeEndElement();
        return this;
    }

    /** {@code <element>text</element>}. */
    Xml element(String element, Object text) throws XMLStreamException {
        return open(element).text(text).close();
    }

    /** An element with no content, written as {@code <name .../>}. */
    Xml empty(String element) throws XMLStreamException {
        w.writeEmptyElement(element);
        return this;
    }

    void finish() throws XMLStreamException {
        w.writeEndDocument();
        w.flush();
    }
}
